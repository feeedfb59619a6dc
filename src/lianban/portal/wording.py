"""Conditions and answers in words, for applicants who never read ``area >= 500``.

``condition_in_words("area >= 500", questions)`` gives
「经营场所建筑面积(平方米)」≥ 500; booleans read 是/否, ``and``/``or``/``not``
read 且/或/并非 — through Django i18n, so the English msgids become Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from lianban.core.catalog import Question
from lianban.core.conditions import And, Compare, Expr, Literal, Membership, Name, Not, Value, parse
from lianban.core.errors import ConditionError

_SYMBOLS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def number_text(value: float) -> str:
    """600 rather than 600.0; 2.5 stays 2.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def value_text(value: Value | None) -> str:
    """An answer or a literal as an applicant reads it."""
    if value is None:
        return _("not answered")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number_text(value)
    return value


def question_label(key: str, questions: Mapping[str, Question]) -> str:
    """A question as quoted in a sentence: its text, or its key when the thing does not ask it."""
    question = questions.get(key)
    return _("“%(question)s”") % {"question": question.text if question else key}


def _operand(expr: Expr, questions: Mapping[str, Question]) -> str:
    if isinstance(expr, Name):
        return question_label(expr.key, questions)
    if isinstance(expr, Literal):
        if isinstance(expr.value, int | float) and not isinstance(expr.value, bool):
            return number_text(expr.value)
        return _("“%(value)s”") % {"value": value_text(expr.value)}
    return _words(expr, questions, nested=True)


def _is_number(expr: Expr) -> bool:
    return isinstance(expr, Literal) and isinstance(expr.value, int | float) and not isinstance(expr.value, bool)


def _compare(expr: Compare, questions: Mapping[str, Question]) -> str:
    text = _operand(expr.operands[0], questions)
    for op, left, right in zip(expr.ops, expr.operands, expr.operands[1:], strict=False):
        words = {"left": text, "right": _operand(right, questions)}
        if op in ("==", "!=") and not (_is_number(left) or _is_number(right)):
            text = (_("%(left)s is %(right)s") if op == "==" else _("%(left)s is not %(right)s")) % words
        else:
            text = f"{text} {_SYMBOLS[op]} {words['right']}"
    return text


def _words(expr: Expr, questions: Mapping[str, Question], *, nested: bool = False) -> str:
    if isinstance(expr, Name):
        return _("%(question)s is “yes”") % {"question": question_label(expr.key, questions)}
    if isinstance(expr, Literal):
        return _("always") if expr.value is True else _("never") if expr.value is False else value_text(expr.value)
    if isinstance(expr, Compare):
        return _compare(expr, questions)
    if isinstance(expr, Membership):
        values = _(", ").join(_("“%(value)s”") % {"value": value_text(v.value)} for v in expr.values)
        return _("%(question)s is one of %(values)s") % {
            "question": _operand(expr.operand, questions),
            "values": values,
        }
    if isinstance(expr, Not):
        return _("not (%(condition)s)") % {"condition": _words(expr.operand, questions)}
    joiner = _(" and ") if isinstance(expr, And) else _(" or ")
    text = joiner.join(_words(operand, questions, nested=True) for operand in expr.operands)
    return f"({text})" if nested else text


def condition_in_words(condition: str | None, questions: Iterable[Question]) -> str | None:
    """The condition as a sentence, or None for "always" (no condition).

    A condition that does not parse (it cannot, once imported) is shown as written.
    """
    if condition is None or not condition.strip():
        return None
    by_key = {q.key: q for q in questions}
    try:
        expr = parse(condition)
    except ConditionError:
        return condition
    return _words(expr, by_key)


def answers_in_words(read: Mapping[str, Value | None], questions: Iterable[Question]) -> list[str]:
    """``「question」: answer`` for each answer a condition read, in the questions' order."""
    by_key = {q.key: q for q in questions}
    order = [q.key for q in by_key.values() if q.key in read] + [k for k in read if k not in by_key]
    return [
        _("%(question)s: %(answer)s") % {"question": question_label(key, by_key), "answer": value_text(read[key])}
        for key in order
    ]
