"""The type checker: a condition against the questions it may read (names, types, options)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lianban.core.conditions.syntax import (
    And,
    Compare,
    Expr,
    Literal,
    Name,
    Not,
    Or,
    ValueType,
    literal_type,
    unparse,
)
from lianban.core.conditions.tokenizer import KEYWORDS
from lianban.core.errors import ConditionError
from lianban.core.text import Text, tx


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


TYPE_WORDS = {"number": tx("a number"), "boolean": tx("a boolean"), "string": tx("a string")}
PLURAL_WORDS = {"number": tx("numbers"), "boolean": tx("booleans"), "string": tx("strings")}


class TypeChecker:
    def __init__(self, text: str, env: Mapping[str, QuestionType]) -> None:
        self.text = text
        self.env = env

    def fail(self, message: Text) -> ConditionError:
        return ConditionError(message, text=self.text, position=0)

    def check(self, expr: Expr) -> ValueType:
        if isinstance(expr, Literal):
            return literal_type(expr.value)
        if isinstance(expr, Name):
            question = self.env.get(expr.key)
            if question is None:
                if expr.key.lower() in KEYWORDS:
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
                            left=TYPE_WORDS[left],
                            right=TYPE_WORDS[right],
                            comparison=f"{unparse(expr.operands[index])} {op} {unparse(expr.operands[index + 1])}",
                        )
                    )
                if op not in ("==", "!=") and left != "number":
                    raise self.fail(
                        tx(
                            "'%(op)s' needs numbers, but %(comparison)s compares %(values)s",
                            op=op,
                            comparison=f"{unparse(expr.operands[index])} {op} {unparse(expr.operands[index + 1])}",
                            values=PLURAL_WORDS[left],
                        )
                    )
                self.check_options(expr.operands[index], expr.operands[index + 1])
                self.check_options(expr.operands[index + 1], expr.operands[index])
            return "boolean"
        # Membership
        operand_type = self.check(expr.operand)
        for value in expr.values:
            value_type = literal_type(value.value)
            if value_type != operand_type:
                raise self.fail(
                    tx(
                        "cannot test %(operand)s for membership in a list containing %(value_type)s: %(value)s",
                        operand=TYPE_WORDS[operand_type],
                        value_type=TYPE_WORDS[value_type],
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
                    type=TYPE_WORDS[found],
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
