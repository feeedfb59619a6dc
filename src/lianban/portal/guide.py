"""The guide's question form: read answers from the query string, word the planner's errors.

The answers travel in the URL (a GET form), so a customised menu can be
shared or bookmarked: ``/guide/<thing>/?size=600&shared=true``.
This module only turns text into typed answers; whether an answer is valid
(required, in range, a known option) is the planner's call (``AnswersInvalid``),
and its problems are worded here, in the applicant's language, naming the question.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from lianban.core.catalog import Question
from lianban.core.conditions import Value
from lianban.core.errors import AnswerProblem
from lianban.core.planner import MAX_NUMBER
from lianban.portal.wording import number_text, question_label

#: Digits before the point of the largest number answer (``MAX_NUMBER`` is 1e15).
MAX_DIGITS = 15

TRUE, FALSE = "true", "false"
#: Choice questions with more options than this are a drop-down rather than radios.
MAX_RADIOS = 6
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Option:
    """One radio button or drop-down entry."""

    value: str
    label: str
    checked: bool
    input_id: str


@dataclass(slots=True)
class QuestionField:
    """A question as a form field: what was typed, what is wrong with it."""

    question: Question
    raw: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The query-string name."""
        return self.question.key

    @property
    def input_id(self) -> str:
        """The id of the input (or of the first radio)."""
        return f"q-{self.question.key}"

    @property
    def error_id(self) -> str:
        """The id of the error message, for ``aria-describedby``."""
        return f"q-{self.question.key}-error"

    @property
    def widget(self) -> str:
        """``number``, ``radio``, ``select`` or ``text``."""
        kind = self.question.type
        if kind == "boolean":
            return "radio"
        if kind == "choice":
            return "radio" if len(self.question.options or ()) <= MAX_RADIOS else "select"
        return "number" if kind == "number" else "text"

    @property
    def options(self) -> list[Option]:
        """The choices of a yes/no or choice question."""
        if self.question.type == "boolean":
            pairs = [(TRUE, _("Yes")), (FALSE, _("No"))]
        else:
            pairs = [(option, option) for option in self.question.options or ()]
        return [
            Option(value, label, self.raw == value, f"{self.input_id}-{index}")
            for index, (value, label) in enumerate(pairs)
        ]

    @property
    def min(self) -> str | None:
        """The minimum as an HTML attribute value."""
        return None if self.question.min is None else number_text(self.question.min)

    @property
    def max(self) -> str | None:
        """The maximum as an HTML attribute value."""
        return None if self.question.max is None else number_text(self.question.max)


def _number(text: str) -> int | float | None:
    try:
        value = Decimal(unicodedata.normalize("NFKC", text).replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value.adjusted() > MAX_DIGITS:
        return math.inf  # too large: refused by the caller, never turned into a huge integer
    return int(value) if value == value.to_integral_value() else float(value)


def read_answers(
    questions: Sequence[Question], data: Mapping[str, str]
) -> tuple[dict[str, Value], list[QuestionField]]:
    """Typed answers from submitted text, and one field per question.

    Text that cannot be read as the question's type (``abc`` for a number) is an
    error on that field and is left out of the answers; everything else goes to
    the planner, which decides what is valid.
    """
    answers: dict[str, Value] = {}
    fields: list[QuestionField] = []
    for question in questions:
        raw = str(data.get(question.key, "") or "").strip()[:MAX_TEXT]
        current = QuestionField(question, raw)
        fields.append(current)
        if not raw:
            continue
        label = question_label(question.key, {question.key: question})
        if question.type == "number":
            number = _number(raw)
            if number is None:
                current.errors.append(_("%(question)s must be a number.") % {"question": label})
            elif abs(number) > MAX_NUMBER:
                current.errors.append(_("%(question)s: the number is too large.") % {"question": label})
            else:
                answers[question.key] = number
        elif question.type == "boolean":
            if raw not in (TRUE, FALSE):
                current.errors.append(_("%(question)s: choose yes or no.") % {"question": label})
            else:
                answers[question.key] = raw == TRUE
        else:
            answers[question.key] = raw
    return answers, fields


def problem_message(question: Question | None, problem: AnswerProblem) -> str:
    """The planner's problem with one answer, worded for the applicant and naming the question."""
    label = question_label(problem.question, {question.key: question} if question else {})
    kind = problem.kind
    if kind == "required":
        return _("Please answer %(question)s.") % {"question": label}
    if kind == "below-minimum" and question and question.min is not None:
        return _("%(question)s must be at least %(min)s.") % {"question": label, "min": number_text(question.min)}
    if kind == "above-maximum" and question and question.max is not None:
        return _("%(question)s must be at most %(max)s.") % {"question": label, "max": number_text(question.max)}
    if kind == "out-of-range":
        return _("%(question)s: the number is too large.") % {"question": label}
    if kind in ("not-a-number", "not-finite"):
        return _("%(question)s must be a number.") % {"question": label}
    if kind == "not-a-boolean":
        return _("%(question)s: choose yes or no.") % {"question": label}
    if kind == "unknown-option" or (kind == "not-text" and question is not None and question.type == "choice"):
        return _("%(question)s: choose one of the options.") % {"question": label}
    if kind == "not-text":
        return _("%(question)s: enter text.") % {"question": label}
    if kind == "unknown-question":
        return _("%(question)s is not a question of this guide.") % {"question": label}
    return _("%(question)s: %(problem)s") % {"question": label, "problem": problem.message}


def add_problems(fields: Iterable[QuestionField], problems: Iterable[AnswerProblem]) -> list[str]:
    """Put each problem on its question's field (unless the field already has an error).

    Returns the messages of problems that belong to no field.
    """
    by_key = {f.key: f for f in fields}
    unplaced: list[str] = []
    for problem in problems:
        target = by_key.get(problem.question)
        message = problem_message(target.question if target else None, problem)
        if target is None:
            unplaced.append(message)
        elif not target.errors:
            target.errors.append(message)
    return unplaced


def is_submitted(questions: Sequence[Question], data: Mapping[str, str]) -> bool:
    """True when the form was sent (any question in the query), or there is nothing required to ask."""
    return any(q.key in data for q in questions) or not any(q.required for q in questions)
