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
false. ``x not in [...]`` is ``not (x in [...])`` with that rule: it is false when
``x`` is unanswered (the unanswered read makes the whole condition false,
whatever ``not`` is around it).

Modules: :mod:`.syntax` (values, the tree, walks over it), :mod:`.tokenizer`,
:mod:`.parser`, :mod:`.types` (the type checker), :mod:`.evaluation`
(compiling and :class:`Condition`). Everything is importable from this package.
"""

from __future__ import annotations

from lianban.core.conditions.evaluation import ALWAYS, Condition, compile_condition
from lianban.core.conditions.parser import parse
from lianban.core.conditions.syntax import (
    And,
    Answers,
    Compare,
    Expr,
    Literal,
    Membership,
    Name,
    Not,
    Or,
    Value,
    ValueType,
    literals_compared_with,
    names_in,
    unparse,
)
from lianban.core.conditions.tokenizer import MAX_DEPTH, NAME_RE
from lianban.core.conditions.types import QuestionType

__all__ = [
    "ALWAYS",
    "MAX_DEPTH",
    "NAME_RE",
    "And",
    "Answers",
    "Compare",
    "Condition",
    "Expr",
    "Literal",
    "Membership",
    "Name",
    "Not",
    "Or",
    "QuestionType",
    "Value",
    "ValueType",
    "compile_condition",
    "literals_compared_with",
    "names_in",
    "parse",
    "unparse",
]
