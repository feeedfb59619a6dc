"""A small recursive-descent parser: tokens into the syntax tree of :mod:`.syntax`."""

from __future__ import annotations

import json
import math

from lianban.core.conditions.syntax import And, Compare, Expr, Literal, Membership, Name, Not, Or
from lianban.core.conditions.tokenizer import MAX_DEPTH, Token, tokenize
from lianban.core.errors import ConditionError
from lianban.core.text import Text, tx


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(tx("nested more than %(depth)s levels deep", depth=MAX_DEPTH))

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: Text, token: Token | None = None) -> ConditionError:
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

    def number(self, token: Token) -> int | float:
        text = token.text
        try:
            value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError as exc:  # more digits than Python converts
            raise self.error(tx("number %(number)s… is too long", number=text[:20]), token) from exc
        if not math.isfinite(value):
            raise self.error(tx("number %(number)s is too large", number=text), token)
        return value

    @staticmethod
    def describe(token: Token) -> str:
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
    return Parser(text).parse()
