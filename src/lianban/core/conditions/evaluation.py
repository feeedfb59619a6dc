"""Compiling a checked condition into closures, and evaluating it against answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lianban.core.conditions.parser import parse
from lianban.core.conditions.syntax import (
    And,
    Answers,
    Compare,
    Expr,
    Literal,
    Name,
    Not,
    Or,
    Value,
    literal_type,
    names_in,
)
from lianban.core.conditions.types import TYPE_WORDS, QuestionType, TypeChecker
from lianban.core.errors import ConditionError
from lianban.core.text import tx


class _Unanswered(Exception):
    """Raised inside evaluation when a condition reads a question with no answer."""


_Evaluator = Callable[[Answers], Value]


def _compare(op: str, left: Value, right: Value) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(left, str) or isinstance(right, str):
        raise TypeError(f"cannot order text with {op!r}")
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _compile(expr: Expr) -> _Evaluator:
    if isinstance(expr, Literal):
        constant = expr.value
        return lambda answers: constant
    if isinstance(expr, Name):
        key = expr.key

        def lookup(answers: Answers) -> Value:
            value = answers.get(key)
            if value is None:
                raise _Unanswered(key)
            return value

        return lookup
    if isinstance(expr, Not):
        inner = _compile(expr.operand)
        return lambda answers: not inner(answers)
    if isinstance(expr, And):
        parts = tuple(_compile(operand) for operand in expr.operands)
        return lambda answers: all(part(answers) for part in parts)
    if isinstance(expr, Or):
        parts = tuple(_compile(operand) for operand in expr.operands)
        return lambda answers: any(part(answers) for part in parts)
    if isinstance(expr, Compare):
        operands = tuple(_compile(operand) for operand in expr.operands)
        ops = expr.ops
        if len(ops) == 1:
            op, left_fn, right_fn = ops[0], operands[0], operands[1]
            return lambda answers: _compare(op, left_fn(answers), right_fn(answers))

        def chain(answers: Answers) -> bool:
            left = operands[0](answers)
            for op, right_fn in zip(ops, operands[1:], strict=True):
                right = right_fn(answers)
                if not _compare(op, left, right):
                    return False
                left = right
            return True

        return chain
    operand = _compile(expr.operand)
    values = tuple(value.value for value in expr.values)
    # Equality semantics as for '==' (so 500 in [500.0] holds, true is not 1).
    return lambda answers: _member(operand(answers), values)


def _member(value: Value, values: tuple[Value, ...]) -> bool:
    kind = literal_type(value)
    return any(literal_type(v) == kind and value == v for v in values)


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed, type-checked and compiled condition."""

    text: str
    expr: Expr
    _evaluate: _Evaluator

    def holds(self, answers: Answers) -> bool:
        """Evaluate against answers; a condition reading an unanswered question is false."""
        try:
            return bool(self._evaluate(answers))
        except _Unanswered:
            return False

    @property
    def names(self) -> tuple[str, ...]:
        """The question keys this condition mentions, each once, in reading order."""
        return tuple(dict.fromkeys(names_in(self.expr)))


ALWAYS = Condition(text="", expr=Literal(True), _evaluate=lambda answers: True)


def compile_condition(text: str | None, env: Mapping[str, QuestionType] | None) -> Condition:
    """Parse, type-check against ``env`` and compile condition text.

    Args:
        text: the condition; ``None`` (absent) means "always".
        env: question key -> type, the names the condition may read; ``None``
            skips type checking (for conditions of a catalog already validated).

    Returns:
        The compiled condition.

    Raises:
        ConditionError: naming the offending text on any syntax or type error.
    """
    if text is None:
        return ALWAYS
    expr = parse(text)
    if env is None:
        return Condition(text=text, expr=expr, _evaluate=_compile(expr))
    result = TypeChecker(text, env).check(expr)
    if result != "boolean":
        raise ConditionError(
            tx("a condition must be true or false, not %(type)s", type=TYPE_WORDS[result]), text=text, position=0
        )
    return Condition(text=text, expr=expr, _evaluate=_compile(expr))
