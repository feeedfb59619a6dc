"""The condition language's values and syntax tree, and walks over the tree (rendering, names, literals)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

Value = bool | int | float | str
Answers = Mapping[str, Value | None]
ValueType = TypingLiteral["number", "boolean", "string"]


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


def literal_type(value: Value) -> ValueType:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


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
