"""Reads of the window workbench: the intake queue, the case page, the issuance queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, User
from lianban.cases import clock
from lianban.cases.access import clerk_serves, personal_form_keys
from lianban.cases.models import Case, CaseMaterial, CaseState, ItemCase
from lianban.cases.selectors import (
    case_can_issue,
    case_intake_open,
    case_intake_queue,
    case_issuance_queue,
    case_list_filter,
    case_list_for_user,
    item_case_list,
)
from lianban.core import case_flow as flow
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.intake.models import IntakeRound, MaterialCheck
from lianban.intake.selectors import identity_claimed, intake_checks, intake_round_list
from lianban.intake.services import deemed_acceptance_deadline
from lianban.issuance.models import Bill, Issuance
from lianban.issuance.selectors import bill_get, issuance_get
from lianban.supervision.selectors import case_signal_levels
from lianban.workbench.selectors.common import (
    UNKNOWN,
    Deadline,
    EventRow,
    FieldRow,
    MaterialRow,
    answer_rows,
    deadline_for,
    event_rows,
    form_rows,
    item_deadline,
    material_rows,
)


def intake_deadline(case: Case, *, calendar: Calendar | None = None) -> Deadline:
    """The deemed-acceptance deadline of a case waiting for intake, with its status."""
    try:
        due = deemed_acceptance_deadline(case, calendar=calendar)
    except CalendarNotCovered as exc:
        return Deadline(None, UNKNOWN, _("no working-day calendar for %(year)s") % {"year": exc.year})
    return deadline_for(due, calendar=calendar)


def waiting_since(case: Case) -> datetime:
    """When the case's current intake round started (its latest (re)submission)."""
    return case.resubmitted_at or case.submitted_at


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A case in the window's queue."""

    case: Case
    since: datetime
    deadline: Deadline | None = None
    promised: int = 0
    signal: str = ""


#: Columns of a case the lists never show (the frozen plan, the form, the answers: large JSON).
LIST_DEFERRED = ("plan", "form", "answers")


@dataclass(frozen=True, slots=True)
class QueueSearch:
    """What a queue is searched by (empty: everything): tracking code, applicant, submission dates."""

    code: str = ""
    applicant: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None

    def apply(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """``cases`` narrowed to the search, without the large JSON columns a list does not show."""
        return case_list_filter(
            cases.defer(*LIST_DEFERRED),
            code=self.code,
            applicant=self.applicant,
            submitted_from=self.submitted_from,
            submitted_to=self.submitted_to,
        )


#: The window queue's lists and their orders (each ends with the unique id).
CORRECTION_ORDER = ("updated_at", "id")
IN_PROGRESS_ORDER = ("accepted_at", "id")
ISSUANCE_ORDER = ("ready_at", "id")


def intake_rows(cases: list[Case]) -> list[QueueRow]:
    """Queue rows of cases waiting for an intake decision, with their deemed-acceptance deadlines."""
    calendar = clock.calendar()
    signals = case_signal_levels(case.pk for case in cases)
    return [
        QueueRow(case, waiting_since(case), intake_deadline(case, calendar=calendar), signal=signals.get(case.pk, ""))
        for case in cases
    ]


def correction_rows(cases: list[Case]) -> list[QueueRow]:
    """Queue rows of cases waiting for the applicant's corrections."""
    return [QueueRow(case, case.updated_at) for case in cases]


def in_progress_rows(cases: list[Case]) -> list[QueueRow]:
    """Queue rows of accepted cases with their outstanding promised materials (one query for the page)."""
    promised_counts: dict[int, int] = {}
    for case_id in CaseMaterial.objects.filter(case__in=[c.pk for c in cases], state="PROMISED").values_list(
        "case_id", flat=True
    ):
        promised_counts[case_id] = promised_counts.get(case_id, 0) + 1
    signals = case_signal_levels(case.pk for case in cases)
    return [
        QueueRow(
            case,
            case.accepted_at or case.submitted_at,
            promised=promised_counts.get(case.pk, 0),
            signal=signals.get(case.pk, ""),
        )
        for case in cases
    ]


def intake_list(user: User, search: QueueSearch) -> QuerySet[Case]:
    """Cases to decide (new and resubmitted), the longest waiting first."""
    return search.apply(case_intake_queue(user))


def correction_list(user: User, search: QueueSearch) -> QuerySet[Case]:
    """Cases waiting for the applicant's corrections, the oldest notice first."""
    return search.apply(case_list_for_user(user).filter(state=CaseState.CORRECTION_REQUESTED))


def in_progress_list(user: User, search: QueueSearch) -> QuerySet[Case]:
    """Accepted cases with the departments, the earliest accepted first."""
    return search.apply(case_list_for_user(user).filter(state=CaseState.IN_PROGRESS))


@dataclass(frozen=True, slots=True)
class IssuanceRow:
    """A ready case with its bill."""

    case: Case
    bill: Bill | None


def issuance_list(user: User, search: QueueSearch) -> QuerySet[Case]:
    """Ready cases at the clerk's window, oldest first, with their bills."""
    return search.apply(case_issuance_queue(user))


def issuance_rows(cases: list[Case]) -> list[IssuanceRow]:
    """Ready cases with their bills (selected with the case)."""
    return [IssuanceRow(case, getattr(case, "bill", None)) for case in cases]


def recently_issued(user: User, *, limit: int = 10) -> QuerySet[Case]:
    """The window's latest issued cases."""
    return case_list_for_user(user).filter(state=CaseState.ISSUED).order_by("-closed_at", "-id")[:limit]


@dataclass(frozen=True, slots=True)
class CheckRow:
    """A material to submit with the clerk's verdict in the current round."""

    row: MaterialRow
    check: MaterialCheck | None

    @property
    def code(self) -> str:
        """The material code."""
        return self.row.material.code


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item case on the case page."""

    item: ItemCase
    deadline: Deadline | None
    #: The case is not accepted yet, so the item waits for acceptance (not for earlier items).
    waiting_for_acceptance: bool = False


@dataclass
class CasePage:
    """Everything the window's case page shows."""

    case: Case
    can_act: bool
    intake_open: bool
    deadline: Deadline | None
    answers: list[FieldRow]
    form: list[FieldRow]
    materials: list[MaterialRow]
    others: list[MaterialRow]
    checks: list[CheckRow]
    promisable: list[CheckRow]
    problems: list[CheckRow]
    rounds: list[IntakeRound]
    items: list[ItemRow]
    events: list[EventRow]
    bill: Bill | None
    issuance: Issuance | None
    stages: dict[int, list[ItemRow]] = field(default_factory=dict)
    #: The clerk may issue every result now: the case is ready and its bill settled.
    can_issue: bool = False
    #: The registered applicant whose identity the case's applicant claims, unverified (身份核验), or None.
    claimed: Applicant | None = None


def current_round(rounds: list[IntakeRound]) -> IntakeRound | None:
    """The undecided round, if any."""
    return next((r for r in reversed(rounds) if not r.decision), None)


def case_page(user: User, case: Case) -> CasePage:
    """The case page for a clerk (with actions when their window serves it) or a supervisor (read only)."""
    items = item_case_list(case)
    materials = list(CaseMaterial.objects.filter(case=case).select_related("licence").order_by("position"))
    rows = material_rows(materials, items)
    rounds = list(intake_round_list(case))
    open_round = current_round(rounds)
    verdicts = {c.material_id: c for c in intake_checks(open_round)} if open_round is not None else {}
    checks = [CheckRow(row, verdicts.get(row.material.pk)) for row in rows if row.material.provenance == "submit"]
    intake_open = case_intake_open(case)
    promisable = [
        c
        for c in checks
        if c.row.material.tolerable and c.row.material.required and (c.check is None or c.check.result == "MISSING")
    ]
    problems = [c for c in checks if c.check is not None and c.check.result in ("MISSING", "WRONG")]
    before_acceptance = case.state in flow.BEFORE_ACCEPTANCE
    item_rows = [
        ItemRow(item, item_deadline(item), before_acceptance and item.state == flow.ItemState.WAITING) for item in items
    ]
    stages: dict[int, list[ItemRow]] = {}
    for row in item_rows:
        stages.setdefault(row.item.stage, []).append(row)
    can_act = clerk_serves(user, case)
    bill = bill_get(case)
    return CasePage(
        case=case,
        can_act=can_act,
        intake_open=intake_open,
        deadline=intake_deadline(case) if intake_open else None,
        answers=answer_rows(case),
        form=form_rows(case, full_keys=personal_form_keys(user, case)),
        materials=rows,
        others=[row for row in rows if row.material.provenance != "submit"],
        checks=checks,
        promisable=promisable,
        problems=problems,
        rounds=rounds,
        items=item_rows,
        events=event_rows(case),
        bill=bill,
        issuance=issuance_get(case),
        stages=stages,
        can_issue=can_act and case_can_issue(case) and bill is not None and bill.settled_at is not None,
        claimed=identity_claimed(case),
    )


def is_running(item: ItemCase) -> bool:
    """Whether the item's clock is running or paused (dispatched, in review, supplement)."""
    return item.state in flow.RUNNING_ITEM_STATES


def today_text() -> str:
    """Today's date (ISO), for date inputs' minimum."""
    return clock.today().isoformat()
