"""Answers to a thing's questions, checked before planning (one problem per offending question)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from lianban.core.catalog import Question
from lianban.core.conditions import Value
from lianban.core.errors import AnswerProblem, AnswersInvalid
from lianban.core.text import Text, tx

#: Largest magnitude of a number answer: beyond it a number is refused before any comparison
#: (a 400-digit integer cannot even be turned into a float).
MAX_NUMBER = 1e15


def validate_answers(questions: Iterable[Question], answers: Any) -> dict[str, Value]:
    """Check answers against the questions; return them without null entries.

    Raises:
        AnswersInvalid: one problem per offending question (missing required
            answer, wrong type, out of range, unknown option, unknown key), each
            with a stable ``kind``.
    """
    questions = tuple(questions)
    if not isinstance(answers, Mapping):
        raise AnswersInvalid(
            [AnswerProblem("answers", tx("The answers must be an object of question key → value."), "not-an-object")]
        )
    problems: list[AnswerProblem] = []
    by_key = {q.key: q for q in questions}
    for key in answers:
        if key not in by_key:
            problems.append(
                AnswerProblem(
                    str(key), tx("%(question)s is not a question of this guide.", question=str(key)), "unknown-question"
                )
            )
    clean: dict[str, Value] = {}
    for question in questions:
        value = answers.get(question.key)
        if value is None:
            if question.required:
                problems.append(
                    AnswerProblem(question.key, tx("Please answer %(question)s.", question=question.text), "required")
                )
            continue
        problem = _answer_problem(question, value)
        if problem:
            problems.append(problem)
        else:
            clean[question.key] = value
    if problems:
        raise AnswersInvalid(problems)
    return clean


def _answer_problem(question: Question, value: object) -> AnswerProblem | None:
    key = question.key
    label = question.text or key

    def problem(message: Text, kind: str, **params: object) -> AnswerProblem:
        return AnswerProblem(key, message, kind, tuple(params.items()))

    if question.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return problem(
                tx("%(question)s must be a number.", question=label), "not-a-number", found=_json_type(value)
            )
        if isinstance(value, float) and not math.isfinite(value):
            return problem(tx("%(question)s must be a number.", question=label), "not-finite")
        if not -MAX_NUMBER <= value <= MAX_NUMBER:
            return problem(tx("%(question)s: the number is too large.", question=label), "out-of-range", max=MAX_NUMBER)
        if question.min is not None and value < question.min:
            return problem(
                tx("%(question)s must be at least %(min)s.", question=label, min=number_text(question.min)),
                "below-minimum",
                value=value,
                min=question.min,
            )
        if question.max is not None and value > question.max:
            return problem(
                tx("%(question)s must be at most %(max)s.", question=label, max=number_text(question.max)),
                "above-maximum",
                value=value,
                max=question.max,
            )
        return None
    if question.type == "boolean":
        if not isinstance(value, bool):
            return problem(
                tx("%(question)s: choose yes or no.", question=label), "not-a-boolean", found=_json_type(value)
            )
        return None
    if not isinstance(value, str):
        if question.type == "choice":
            return problem(tx("%(question)s: choose one of the options.", question=label), "not-text")
        return problem(tx("%(question)s: enter text.", question=label), "not-text", found=_json_type(value))
    if question.type == "choice" and value not in (question.options or ()):
        return problem(
            tx("%(question)s: choose one of %(options)s.", question=label, options="、".join(question.options or ())),
            "unknown-option",
            value=value,
            options=tuple(question.options or ()),
        )
    return None


def number_text(value: float) -> str:
    """A number as people write it: no ``.0`` on whole numbers."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
