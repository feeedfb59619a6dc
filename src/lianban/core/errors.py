"""Errors raised by the pure core. Each carries a stable ``code`` for APIs and UIs."""

from __future__ import annotations

from dataclasses import dataclass

from lianban.core.text import Text, tx


class DomainError(Exception):
    """Base class of every error the core raises on purpose."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConditionError(DomainError):
    """A condition that cannot be parsed or does not type-check."""

    code = "condition-invalid"

    def __init__(self, message: str, *, text: str, position: int) -> None:
        self.full: Text = tx("%(reason)s in condition %(condition)s", reason=message, condition=repr(text))
        super().__init__(self.full)
        self.reason = message
        self.text = text
        self.position = position


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One problem found in a catalog file: where it is and what is wrong."""

    file: str
    entry: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.entry}: {self.message}"


class CatalogInvalid(DomainError):
    """A catalog (or a set of files) that cannot be imported; lists every problem."""

    code = "catalog-invalid"

    def __init__(self, problems: list[CatalogProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class DependencyCycle(DomainError):
    """Included items whose ordering forms a cycle; ``cycle`` names them in order."""

    code = "plan-dependency-cycle"

    def __init__(self, cycle: tuple[str, ...]) -> None:
        super().__init__(tx("The items form a cycle: %(cycle)s", cycle=" → ".join(cycle)))
        self.cycle = cycle


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """What is wrong with the answer to one question.

    ``kind`` is a stable code a user interface can translate (with ``params``):
    ``not-an-object``, ``unknown-question``, ``required``, ``not-a-number``,
    ``not-finite``, ``out-of-range`` (beyond ±1e15), ``below-minimum``, ``above-maximum``, ``not-a-boolean``,
    ``not-text``, ``unknown-option``.
    """

    question: str
    message: str  # a Text where the core words it
    kind: str = "invalid"
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


class AnswersInvalid(DomainError):
    """Answers that do not fit a thing's questions; one problem per question."""

    code = "answers-invalid"

    def __init__(self, problems: list[AnswerProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


class UnknownThing(DomainError):
    """A thing code that is not in the catalog."""

    code = "thing-unknown"


# ------------------------------------------------------------------ working days


class CalendarNotCovered(DomainError):
    """A date in a year that no working-day data covers; never guessed."""

    code = "calendar-not-covered"

    def __init__(self, year: int) -> None:
        super().__init__(
            tx(
                "no working-day calendar for %(year)s: an admin must add the year's holidays "
                "and make-up workdays in the override table and declare the year complete",
                year=str(year),
            )
        )
        self.year = year


# ------------------------------------------------------------------ access (not domain errors: never a message)


class NotVisible(Exception):
    """The object does not exist or the actor may not see it: the interfaces answer 404 and never tell which.

    Not a ``DomainError``: a page or API that shows domain errors as messages lets it through, and the
    interface maps it (``lianban.api.exceptions``, ``lianban.common.middleware.AccessErrorsMiddleware``).
    """

    code = "not_found"


class NotAllowed(Exception):
    """The actor sees the object but may not do this (the interfaces answer 403); ``message`` says why."""

    code = "permission_denied"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
