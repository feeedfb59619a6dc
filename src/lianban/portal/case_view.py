"""What the applicant's case pages show, built from the case engine's reads.

:func:`progress_view` turns ``cases.selectors.case_progress`` / ``track`` (the
public, personal-data-free progress) into stages for the timeline.
:func:`case_row` is one line of "my cases"; :func:`next_steps` says what the
applicant must do now. Words come from :mod:`lianban.portal.case_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from lianban.cases import clock
from lianban.cases.models import Case, CaseMaterial, ItemCase
from lianban.core import case_flow as flow
from lianban.portal.case_words import due_text, item_state_text, state_text


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """One item of a case as the timeline shows it."""

    code: str
    name: str
    department: str
    state: str
    state_text: str
    due_status: str
    due_text: str
    held: bool
    started_on: date | None
    due_on: date | None
    finished_on: date | None
    due_provisional: bool = False

    @property
    def running(self) -> bool:
        """Sent to its department and not decided yet."""
        return self.state in flow.RUNNING_ITEM_STATES

    @property
    def finished(self) -> bool:
        """Approved, rejected or cancelled."""
        return self.state in flow.FINAL_ITEM_STATES


@dataclass(frozen=True, slots=True)
class StageProgress:
    """A stage: items that may run at the same time."""

    number: int
    items: tuple[ItemProgress, ...]

    @property
    def status(self) -> str:
        """``done``, ``current`` or ``waiting`` (for the marker on the timeline)."""
        if all(item.finished for item in self.items):
            return "done"
        if any(item.running or item.finished for item in self.items):
            return "current"
        return "waiting"


def progress_view(progress: Mapping[str, Any]) -> tuple[StageProgress, ...]:
    """Stages and items from a progress document (``case_progress`` / ``track``)."""
    before_acceptance = progress.get("state") in flow.BEFORE_ACCEPTANCE
    stages = []
    for stage in progress["stages"]:
        items = tuple(
            ItemProgress(
                code=item["code"],
                name=item["name"],
                department=item["department"],
                state=item["state"],
                state_text=(
                    _("Starts once the window accepts the application")
                    if before_acceptance and item["state"] == flow.ItemState.WAITING
                    else item_state_text(item["state"])
                ),
                due_status=item.get("due_status") or "",
                due_text=due_text(item.get("due_status") or ""),
                held=bool(item.get("held")),
                started_on=_day(item.get("started_on")),
                due_on=_day(item.get("due_on")),
                finished_on=_day(item.get("finished_on")),
                due_provisional=bool(item.get("due_provisional")),
            )
            for item in stage["items"]
        )
        stages.append(StageProgress(stage["stage"], items))
    return tuple(stages)


def eta_note(state: str, eta: date | None) -> str:
    """Why there is no expected date yet ("" when there is one, or when the case is over)."""
    if eta is not None or state in (*flow.FINAL_CASE_STATES, flow.CaseState.READY):
        return ""
    return _("the working-day calendar does not cover the dates yet")


def _one(case: Case, relation: str) -> Any:
    """A reverse one-to-one (bill, issuance) or None."""
    try:
        return getattr(case, relation)
    except ObjectDoesNotExist:
        return None


def next_steps(
    case: Case,
    items: Sequence[ItemCase],
    promised: Iterable[CaseMaterial],
    *,
    today: date | None = None,
) -> list[str]:
    """What the applicant must do now, in words (an empty list: nothing, the others are working)."""
    state = case.state
    if state == flow.CaseState.CORRECTION_REQUESTED:
        return [_("Correct the materials listed in the correction notice, then resubmit.")]
    if state in (flow.CaseState.SUBMITTED, flow.CaseState.RESUBMITTED):
        return []
    steps: list[str] = []
    if state == flow.CaseState.IN_PROGRESS:
        for item in items:
            if item.state == flow.ItemState.SUPPLEMENT:
                steps.append(
                    _("Supply what %(department)s asks for “%(item)s”.")
                    % {"department": item.department.name, "item": item.item_name}
                )
        for material in promised:
            steps.append(
                _("Hand in “%(material)s” by %(date)s, as promised.")
                % {"material": material.name, "date": day_text(material.promise_due)}
            )
    if state == flow.CaseState.READY:
        bill = _one(case, "bill")
        if bill is not None and bill.status == "OPEN":
            steps.append(_("Pay %(amount)s at the window and collect your results.") % {"amount": money(bill.total)})
        else:
            steps.append(_("Collect your results at the window."))
    return steps


def waiting_note(case: Case) -> str:
    """What happens next when the applicant has nothing to do."""
    if case.state in (flow.CaseState.SUBMITTED, flow.CaseState.RESUBMITTED):
        return _("Nothing for now: the window decides within %(days)s working days.") % {
            "days": settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS
        }
    if case.state == flow.CaseState.IN_PROGRESS:
        return _("Nothing for now: the departments are working on your application.")
    if case.state == flow.CaseState.ISSUED:
        issuance = _one(case, "issuance")
        if issuance is not None and issuance.method == "MAIL":
            return _("Your results were sent by mail (tracking number %(number)s).") % {
                "number": issuance.tracking_number
            }
        return _("Your results were handed out at the window.")
    if case.state == flow.CaseState.REFUSED:
        return _("The window did not accept the application: %(reason)s") % {"reason": case.decision_reason}
    if case.state == flow.CaseState.WITHDRAWN:
        return _("You withdrew the application.")
    return ""


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case in "my cases"."""

    case: Case
    code: str
    thing_name: str
    state_text: str
    submitted_on: date
    eta: date | None
    eta_note: str
    steps: tuple[str, ...]
    note: str
    eta_provisional: bool = False


def case_row(case: Case) -> CaseRow:
    """A case with its item cases and promised materials prefetched (``portal.selectors.case_rows_for_user``)."""
    items = list(case.item_cases.all())
    promised = [m for m in case.materials.all() if m.state == "PROMISED"]
    steps = tuple(next_steps(case, items, promised))
    return CaseRow(
        case=case,
        code=case.code_for_people,
        thing_name=case.thing_name,
        state_text=state_text(case.state),
        submitted_on=clock.local_date(case.submitted_at),
        eta=case.eta,
        eta_note=eta_note(case.state, case.eta),
        eta_provisional=case.eta_provisional,
        steps=steps,
        note="" if steps else waiting_note(case),
    )


def can_withdraw(state: str) -> bool:
    """Whether the case's transition table lets the applicant withdraw now."""
    return "withdraw" in flow.allowed_case_events(state)


def day_text(value: date | None) -> str:
    """A date as 2026年11月22日 (through i18n), "" for none."""
    if value is None:
        return ""
    return _("%(month)s/%(day)s/%(year)s") % {"year": value.year, "month": value.month, "day": value.day}


def money(amount: object) -> str:
    """An amount in yuan as ¥12.50."""
    return f"¥{Decimal(str(amount)):,.2f}"


def size_text(size: int | None) -> str:
    """A size in bytes as 230 KB / 1.4 MB."""
    value = int(size or 0)
    if value < 1024 * 1024:
        return f"{max(1, round(value / 1024))} KB"
    return f"{value / 1024 / 1024:.1f} MB"
