"""Condition text into tokens; a character the language has no use for is named in the error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lianban.core.errors import ConditionError
from lianban.core.text import Text, tx

KEYWORDS = {"and", "or", "not", "in", "true", "false"}
COMPARISON_OPS = ("==", "!=", "<=", ">=", "<", ">")

#: A question key: an identifier (Unicode letters allowed), as the tokenizer reads a name.
NAME_RE = re.compile(r"[^\W\d]\w*")
#: The deepest nesting of parentheses / ``not`` a condition may have.
MAX_DEPTH = 100

TOKEN_RE = re.compile(
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


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, name, keyword, op, punct, end
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if match is None:
            raise ConditionError(_unexpected_character(text, pos), text=text, position=pos)
        kind = match.lastgroup or ""
        value = match.group()
        if kind != "space":
            if kind == "name" and value in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
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
