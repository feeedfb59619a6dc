"""The API's errors in the language of the request.

The engine raises errors with stable codes and English texts (a
:class:`lianban.core.text.Text` where the core words them, so the template is
looked up in the translations here); compound errors get a headline in
``message`` and one text per field in ``fields``. Nothing English is left in a
Chinese answer: ``tests/api/test_chinese_errors.py`` walks every error code.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lianban.cases import words
from lianban.cases.models import CaseState, ItemState
from lianban.catalog.wording import translated
from lianban.core.case_errors import IntakeIncomplete, TransitionRefused
from lianban.core.errors import AnswerProblem, CalendarNotCovered, DomainError
from lianban.core.orders import OrderStepRefused
from lianban.supervision.wording import order_step_text

__all__ = ["answer_text", "domain_message", "intake_problem_text", "invalid_input_message"]


def invalid_input_message() -> str:
    """The headline of a 400 whose ``fields`` say what is wrong."""
    return _("The input is not valid: see the fields.")


#: Headlines of the errors whose details are per field.
def _headline(code: str) -> str | None:
    return {
        "answers-invalid": _("Some answers do not fit the questions."),
        "form-invalid": _("Some fields of the application form are not filled in correctly."),
        "applicant-invalid": _("The applicant's details are not valid."),
    }.get(code)


def _event_words(event: str) -> str:
    events = {
        "request_correction": _("send a correction notice"),
        "resubmit": _("resubmit"),
        "accept": _("accept"),
        "deem_accepted": _("accept"),
        "refuse": _("refuse"),
        "complete": _("complete"),
        "issue": _("issue the results"),
        "withdraw": _("withdraw"),
        "dispatch": _("dispatch"),
        "take": _("take for review"),
        "request_supplement": _("ask for a supplement"),
        "supply": _("supply the supplement"),
        "approve": _("approve"),
        "reject": _("reject"),
        "cancel": _("cancel"),
        "intake": _("check the materials"),
    }
    return str(events.get(event, event))


def transition_text(exc: TransitionRefused) -> str:
    """Why the state machine refused, in words: what it is, its state, what was asked."""
    if exc.kind == "case":
        state = str(CaseState(exc.state).label) if exc.state in CaseState.values else exc.state
        message = _("The case is “%(state)s”: it cannot %(event)s now.")
    else:
        state = str(ItemState(exc.state).label) if exc.state in ItemState.values else exc.state
        message = _("The item is “%(state)s”: it cannot %(event)s now.")
    text = message % {"state": state, "event": _event_words(exc.event)}
    if exc.detail:
        text = _("%(message)s (%(detail)s)") % {"message": text, "detail": translated(exc.detail)}
    return text


def answer_text(problem: AnswerProblem) -> str:
    """One answer's problem, naming its question."""
    return translated(problem.message)


def intake_problem_text(text: str) -> str:
    """A reason why a material blocks acceptance."""
    return words.word(words.INTAKE_PROBLEMS, text)


def domain_message(exc: DomainError) -> str:
    """The ``message`` of a domain error's answer."""
    headline = _headline(exc.code)
    if headline is not None:
        return headline
    if isinstance(exc, TransitionRefused):
        return transition_text(exc)
    if isinstance(exc, OrderStepRefused):
        return order_step_text(exc)
    if isinstance(exc, CalendarNotCovered):
        return _("The working-day calendar does not cover %(year)s yet; an administrator must enter it.") % {
            "year": exc.year
        }
    if isinstance(exc, IntakeIncomplete):
        return translated(exc.reason)
    return translated(exc.message)
