"""The condition language of ``lianban-catalog/1``.

A condition is one boolean expression over a thing's question keys::

    size >= 500 and (shared == true or kind in ["a", "b"])

Supported: comparisons ``== != < <= > >=`` (chains such as ``300 <= area < 500``
included), ``and``, ``or``, ``not``, parentheses, membership ``x in [...]`` against
a list of literals (``x not in [...]`` reads as ``not (x in [...])``), and
literals: numbers (``5``, ``-2.5``, ``1e3``), double-quoted strings with JSON
escapes, ``true``, ``false``. Names are question keys (identifiers). Nothing
else: no calls, attributes, indexing, arithmetic or single quotes.

Text is tokenised and parsed by a small recursive-descent parser into an AST of
frozen dataclasses, type-checked against the questions, and compiled into
closures. Nothing is ever handed to Python's ``eval``.

Evaluation is left to right with short-circuit ``and``/``or``. Reading a
question that has no answer (an optional question left unanswered, or a key
that is not a question of the thing being planned) makes the whole condition
false.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from lianban.core.errors import ConditionError
from lianban.core.text import Text, tx

Value = bool | int | float | str
Answers = Mapping[str, Value | None]
ValueType = TypingLiteral["number", "boolean", "string"]

__all__ = [
    "And",
    "Compare",
    "Condition",
    "Expr",
    "Literal",
    "Membership",
    "Name",
    "Not",
    "Or",
    "QuestionType",
    "compile_condition",
    "parse",
]

_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARISON_OPS = ("==", "!=", "<=", ">=", "<", ">")

#: A question key: an identifier (Unicode letters allowed), as the tokenizer reads a name.
NAME_RE = re.compile(r"[^\W\d]\w*")
#: The deepest nesting of parentheses / ``not`` a condition may have.
MAX_DEPTH = 100

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?![\w.]))
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<name>[^\W\d]\w*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],-])
    """,
    re.VERBOSE,
)


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal number, string or boolean."""

    value: Value


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a question key."""

    key: str


@dataclass(frozen=True, slots=True)
class Not:
    """Logical negation."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class And:
    """Logical conjunction of two or more operands, evaluated left to right."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Logical disjunction of two or more operands, evaluated left to right."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison, possibly chained: ``operands[0] ops[0] operands[1] ...``."""

    operands: tuple[Expr, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Membership:
    """``operand in [values...]``."""

    operand: Expr
    values: tuple[Literal, ...]


Expr = Literal | Name | Not | And | Or | Compare | Membership


# ---------------------------------------------------------------------- tokenizer


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, name, keyword, op, punct, end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise ConditionError(_unexpected_character(text, pos), text=text, position=pos)
        kind = match.lastgroup or ""
        value = match.group()
        if kind != "space":
            if kind == "name" and value in _KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, value, pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unexpected_character(text: str, pos: int) -> Text:
    char = text[pos]
    if char == "'":
        return tx("strings must be in double quotes, not single quotes (at %(at)s)", at=pos + 1)
    if char == '"':
        return tx("unterminated string (at %(at)s)", at=pos + 1)
    if char == ".":
        return tx(
            "attribute access is not allowed (at %(at)s: %(found)s)", at=pos + 1, found=repr(text[pos : pos + 10])
        )
    if char in "+-*/%":
        return tx("arithmetic is not allowed (%(char)s at %(at)s)", char=repr(char), at=pos + 1)
    if char == "=":
        return tx("use '==' to compare, '=' is not allowed (at %(at)s)", at=pos + 1)
    if char == "!":
        return tx("use 'not' for negation, '!' is not allowed (at %(at)s)", at=pos + 1)
    if char in "&|":
        return tx("use 'and' / 'or', %(char)s is not allowed (at %(at)s)", char=repr(char), at=pos + 1)
    if char.isdigit():
        return tx("malformed number %(found)s (at %(at)s)", found=repr(text[pos : pos + 10]), at=pos + 1)
    return tx("unexpected character %(char)s (at %(at)s)", char=repr(char), at=pos + 1)


# ------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(tx("nested more than %(depth)s levels deep", depth=MAX_DEPTH))

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: Text, token: _Token | None = None) -> ConditionError:
        token = token or self.current
        reason = tx("%(problem)s (at %(at)s)", problem=message, at=token.pos + 1)
        return ConditionError(reason, text=self.text, position=token.pos)

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (text is None or token.text == text)

    def parse(self) -> Expr:
        if self.at("end"):
            raise self.error(tx("empty condition"))
        expr = self.parse_or()
        if not self.at("end"):
            raise self.error(tx("unexpected %(found)s", found=self.describe(self.current)))
        return expr

    def parse_or(self) -> Expr:
        operands = [self.parse_and()]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Expr:
        operands = [self.parse_not()]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> Expr:
        if self.at("keyword", "not"):
            self.advance()
            if self.at("keyword", "in"):
                raise self.error(tx("'not in' needs a value before it, as in 'x not in [...]'"))
            self.enter()
            operand = self.parse_not()
            self.depth -= 1
            return Not(operand)
        return self.parse_comparison()

    def parse_comparison(self) -> Expr:
        first = self.parse_operand()
        if self.at("keyword", "in"):
            self.advance()
            return Membership(first, self.parse_list())
        if self.at("keyword", "not"):
            # 'x not in [...]' reads as 'not (x in [...])'.
            token = self.advance()
            if not self.at("keyword", "in"):
                raise self.error(
                    tx("expected 'in' after 'not' but found %(found)s", found=self.describe(self.current)), token
                )
            self.advance()
            return Not(Membership(first, self.parse_list()))
        operands = [first]
        ops: list[str] = []
        while self.at("op"):
            ops.append(self.advance().text)
            operands.append(self.parse_operand())
        if self.at("keyword", "in") or self.at("keyword", "not"):
            raise self.error(tx("'in' cannot be chained with a comparison; use parentheses"))
        if not ops:
            return first
        return Compare(tuple(operands), tuple(ops))

    def parse_operand(self) -> Expr:
        token = self.current
        if token.kind == "punct" and token.text == "(":
            self.advance()
            self.enter()
            expr = self.parse_or()
            self.depth -= 1
            if not self.at("punct", ")"):
                raise self.error(tx("expected ')' but found %(found)s", found=self.describe(self.current)))
            self.advance()
            return expr
        if token.kind == "name":
            self.advance()
            if self.at("punct", "("):
                raise self.error(tx("function calls are not allowed: %(name)s(", name=token.text), token)
            if self.at("punct", "["):
                raise self.error(tx("indexing is not allowed: %(name)s[", name=token.text), token)
            return Name(token.text)
        return self.parse_literal()

    def parse_literal(self) -> Literal:
        token = self.current
        if token.kind == "punct" and token.text == "-":
            self.advance()
            number = self.current
            if number.kind != "number":
                raise self.error(tx("'-' must be followed by a number"), token)
            self.advance()
            return Literal(-self.number(number))
        if token.kind == "number":
            self.advance()
            return Literal(self.number(token))
        if token.kind == "string":
            self.advance()
            try:
                value = json.loads(token.text)
            except json.JSONDecodeError as exc:
                raise self.error(
                    tx("invalid string %(string)s: %(problem)s", string=token.text, problem=exc.msg), token
                ) from exc
            return Literal(str(value))
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.advance()
            return Literal(token.text == "true")
        if token.kind == "punct" and token.text == "[":
            raise self.error(tx("a list is only allowed after 'in'"))
        raise self.error(tx("expected a value but found %(found)s", found=self.describe(token)))

    def parse_list(self) -> tuple[Literal, ...]:
        if not self.at("punct", "["):
            raise self.error(
                tx(
                    '\'in\' must be followed by a list like ["a", "b"], found %(found)s',
                    found=self.describe(self.current),
                )
            )
        self.advance()
        values: list[Literal] = []
        while not self.at("punct", "]"):
            values.append(self.parse_literal())
            if self.at("punct", ","):
                self.advance()
            elif not self.at("punct", "]"):
                raise self.error(tx("expected ',' or ']' but found %(found)s", found=self.describe(self.current)))
        self.advance()
        return tuple(values)

    def number(self, token: _Token) -> int | float:
        text = token.text
        try:
            value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError as exc:  # more digits than Python converts
            raise self.error(tx("number %(number)s… is too long", number=text[:20]), token) from exc
        if not math.isfinite(value):
            raise self.error(tx("number %(number)s is too large", number=text), token)
        return value

    @staticmethod
    def describe(token: _Token) -> str:
        if token.kind == "end":
            return tx("end of condition")
        return repr(token.text)


def parse(text: str) -> Expr:
    """Parse condition text into an AST.

    Args:
        text: the condition as written in the catalog.

    Returns:
        The expression tree.

    Raises:
        ConditionError: on a syntax error or a construct the language forbids.
    """
    if not isinstance(text, str):
        raise ConditionError(
            tx("a condition must be text, not %(type)s", type=type(text).__name__), text=str(text), position=0
        )
    return _Parser(text).parse()


# ------------------------------------------------------------------- type checker


@dataclass(frozen=True, slots=True)
class QuestionType:
    """What the type checker needs to know about a question."""

    type: str  # number | boolean | choice | text
    options: tuple[str, ...] = ()

    @property
    def value_type(self) -> ValueType:
        """The type of the question's answers in conditions."""
        if self.type == "number":
            return "number"
        if self.type == "boolean":
            return "boolean"
        return "string"


def _literal_type(value: Value) -> ValueType:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


_TYPE_WORDS = {"number": tx("a number"), "boolean": tx("a boolean"), "string": tx("a string")}
_PLURAL_WORDS = {"number": tx("numbers"), "boolean": tx("booleans"), "string": tx("strings")}


class _Checker:
    def __init__(self, text: str, env: Mapping[str, QuestionType]) -> None:
        self.text = text
        self.env = env

    def fail(self, message: Text) -> ConditionError:
        return ConditionError(message, text=self.text, position=0)

    def check(self, expr: Expr) -> ValueType:
        if isinstance(expr, Literal):
            return _literal_type(expr.value)
        if isinstance(expr, Name):
            question = self.env.get(expr.key)
            if question is None:
                if expr.key.lower() in _KEYWORDS:
                    raise self.fail(
                        tx(
                            "unknown name %(name)s (not a question of this thing; write %(keyword)s)",
                            name=repr(expr.key),
                            keyword=repr(expr.key.lower()),
                        )
                    )
                raise self.fail(tx("unknown name %(name)s (not a question of this thing)", name=repr(expr.key)))
            return question.value_type
        if isinstance(expr, Not):
            self.expect_boolean(expr.operand, "not")
            return "boolean"
        if isinstance(expr, And | Or):
            word = "and" if isinstance(expr, And) else "or"
            for operand in expr.operands:
                self.expect_boolean(operand, word)
            return "boolean"
        if isinstance(expr, Compare):
            types = [self.check(operand) for operand in expr.operands]
            for index, op in enumerate(expr.ops):
                left, right = types[index], types[index + 1]
                if left != right:
                    raise self.fail(
                        tx(
                            "cannot compare %(left)s with %(right)s: %(comparison)s",
                            left=_TYPE_WORDS[left],
                            right=_TYPE_WORDS[right],
                            comparison=f"{unparse(expr.operands[index])} {op} {unparse(expr.operands[index + 1])}",
                        )
                    )
                if op not in ("==", "!=") and left != "number":
                    raise self.fail(
                        tx(
                            "'%(op)s' needs numbers, but %(comparison)s compares %(values)s",
                            op=op,
                            comparison=f"{unparse(expr.operands[index])} {op} {unparse(expr.operands[index + 1])}",
                            values=_PLURAL_WORDS[left],
                        )
                    )
                self.check_options(expr.operands[index], expr.operands[index + 1])
                self.check_options(expr.operands[index + 1], expr.operands[index])
            return "boolean"
        # Membership
        operand_type = self.check(expr.operand)
        for value in expr.values:
            value_type = _literal_type(value.value)
            if value_type != operand_type:
                raise self.fail(
                    tx(
                        "cannot test %(operand)s for membership in a list containing %(value_type)s: %(value)s",
                        operand=_TYPE_WORDS[operand_type],
                        value_type=_TYPE_WORDS[value_type],
                        value=unparse(value),
                    )
                )
            self.check_options(expr.operand, value)
        return "boolean"

    def expect_boolean(self, expr: Expr, word: str) -> None:
        found = self.check(expr)
        if found != "boolean":
            raise self.fail(
                tx(
                    "'%(word)s' needs true/false operands, but %(operand)s is %(type)s",
                    word=word,
                    operand=unparse(expr),
                    type=_TYPE_WORDS[found],
                )
            )

    def check_options(self, name: Expr, literal: Expr) -> None:
        if not (isinstance(name, Name) and isinstance(literal, Literal)):
            return
        question = self.env.get(name.key)
        if question and question.type == "choice" and literal.value not in question.options:
            raise self.fail(
                tx(
                    "%(value)s is not an option of %(name)s (options: %(options)s)",
                    value=unparse(literal),
                    name=repr(name.key),
                    options=", ".join(question.options),
                )
            )


def unparse(expr: Expr) -> str:
    """Render an expression back to condition text (for messages)."""
    if isinstance(expr, Literal):
        if isinstance(expr.value, bool):
            return "true" if expr.value else "false"
        if isinstance(expr.value, str):
            return json.dumps(expr.value, ensure_ascii=False)
        return repr(expr.value)
    if isinstance(expr, Name):
        return expr.key
    if isinstance(expr, Not):
        return f"not {unparse(expr.operand)}"
    if isinstance(expr, And | Or):
        word = " and " if isinstance(expr, And) else " or "
        return "(" + word.join(unparse(operand) for operand in expr.operands) + ")"
    if isinstance(expr, Compare):
        parts = [unparse(expr.operands[0])]
        for op, operand in zip(expr.ops, expr.operands[1:], strict=True):
            parts += [op, unparse(operand)]
        return " ".join(parts)
    return f"{unparse(expr.operand)} in [{', '.join(unparse(v) for v in expr.values)}]"


def names_in(expr: Expr) -> Iterator[str]:
    """Yield every question key the expression mentions, in reading order."""
    if isinstance(expr, Name):
        yield expr.key
    elif isinstance(expr, Not):
        yield from names_in(expr.operand)
    elif isinstance(expr, And | Or | Compare):
        for operand in expr.operands:
            yield from names_in(operand)
    elif isinstance(expr, Membership):
        yield from names_in(expr.operand)


def literals_compared_with(expr: Expr, key: str) -> Iterator[Value]:
    """Yield the literal values that the question ``key`` is compared with."""
    if isinstance(expr, Not):
        yield from literals_compared_with(expr.operand, key)
    elif isinstance(expr, And | Or):
        for operand in expr.operands:
            yield from literals_compared_with(operand, key)
    elif isinstance(expr, Compare):
        operands = expr.operands
        for left, right in itertools.pairwise(operands):
            if isinstance(left, Name) and left.key == key and isinstance(right, Literal):
                yield right.value
            if isinstance(right, Name) and right.key == key and isinstance(left, Literal):
                yield left.value
        for operand in operands:
            yield from literals_compared_with(operand, key)
    elif isinstance(expr, Membership):
        if isinstance(expr.operand, Name) and expr.operand.key == key:
            yield from (value.value for value in expr.values)
        yield from literals_compared_with(expr.operand, key)


# ----------------------------------------------------------------------- compiler


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
    kind = _literal_type(value)
    return any(_literal_type(v) == kind and value == v for v in values)


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
    result = _Checker(text, env).check(expr)
    if result != "boolean":
        raise ConditionError(
            tx("a condition must be true or false, not %(type)s", type=_TYPE_WORDS[result]), text=text, position=0
        )
    return Condition(text=text, expr=expr, _evaluate=_compile(expr))
