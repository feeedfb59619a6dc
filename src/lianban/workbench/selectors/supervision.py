"""Reads of the supervisor's page: every case with filters, the due-soon and overdue lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import RUNNING_ITEMS, Case, ItemCase
from lianban.cases.selectors import case_list_filter, case_list_for_user, overdue_item_cases
from lianban.common.keyset import COUNT_CAP, capped_count
from lianban.core import case_flow as flow
from lianban.core.workdays import arrangement_needed
from lianban.supervision.models import Signal
from lianban.supervision.selectors import (
    calendar_alert_list,
    item_case_due_soon_list,
    item_case_due_unknown_list,
    item_signal_levels,
    signal_list_for_user,
)
from lianban.workbench.selectors.common import Deadline, item_deadline
from lianban.workbench.selectors.window import LIST_DEFERRED
from lianban.workdays.services import confirmed_years, work_calendar


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """What the supervisor filters cases by (empty: no filter)."""

    state: str = ""
    thing: str = ""
    department: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    overdue_only: bool = False
    code: str = ""
    applicant: str = ""


_ITEM_DEFERRED = [f"case__{name}" for name in LIST_DEFERRED]

#: The order of the supervisor's list of cases: the newest first.
CASE_ORDER = ("-submitted_at", "-id")
#: The order of the due-soon and overdue lists: the earliest due first.
WATCH_ORDER = ("due_on", "id")
#: The order of the list of item cases without a due date: by the calendar year they wait for.
UNKNOWN_ORDER = ("due_year_missing", "started_on", "id")
#: The order of the signals: the newest first.
SIGNAL_ORDER = ("-raised_at", "-id")


def signal_list(user: User, *, level: str = "", department: str = "") -> QuerySet[Signal]:
    """The signals the supervisor's page lists, newest first (the list of ``GET /api/supervision/signals``)."""
    return signal_list_for_user(user, level=level, department=department).defer(
        *[f"case__{name}" for name in LIST_DEFERRED]
    )


def case_search(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The cases ``user`` may see that match ``filters``, newest first.

    A department matches the cases it leads or decides an item of (an ``EXISTS`` on its item cases).
    """
    cases = case_list_filter(
        case_list_for_user(user),
        state=filters.state,
        thing=filters.thing,
        overdue=True if filters.overdue_only else None,
        code=filters.code,
        applicant=filters.applicant,
        submitted_from=filters.submitted_from,
        submitted_to=filters.submitted_to,
    )
    if filters.department:
        with_item = Exists(ItemCase.objects.filter(case_id=OuterRef("pk"), department__code=filters.department))
        cases = cases.filter(Q(lead_department__code=filters.department) | with_item)
    return cases.defer(*LIST_DEFERRED).order_by(*CASE_ORDER)


def overdue_counts(cases: list[Case]) -> dict[int, int]:
    """How many running item cases of each case are overdue (one query for the page)."""
    counts: dict[int, int] = {}
    rows = ItemCase.objects.filter(overdue_item_cases(clock.today()), case_id__in=[c.pk for c in cases]).values_list(
        "case_id", flat=True
    )
    for case_id in rows:
        counts[case_id] = counts.get(case_id, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class WatchRow:
    """An item case on a supervision list."""

    item: ItemCase
    deadline: Deadline | None
    signal: str = ""


def watch_rows(items: list[ItemCase]) -> list[WatchRow]:
    """Supervision rows with each item's deadline as it stands today."""
    calendar = clock.calendar()
    signals = item_signal_levels(item.pk for item in items)
    return [WatchRow(item, item_deadline(item, calendar=calendar), signals.get(item.pk, "")) for item in items]


def due_soon_list() -> QuerySet[ItemCase]:
    """Running item cases due soon (as the last deadline sweep found them)."""
    return item_case_due_soon_list().select_related("case__thing").defer(*_ITEM_DEFERRED)


def overdue_list() -> QuerySet[ItemCase]:
    """Running item cases that are overdue: found by the sweep, or late with a running clock."""
    return (
        ItemCase.objects.filter(overdue_item_cases(clock.today()))
        .select_related("case", "case__thing", "department")
        .defer(*_ITEM_DEFERRED)
        .order_by(*WATCH_ORDER)
    )


def due_unknown_list() -> QuerySet[ItemCase]:
    """Running item cases without a due date: their calendar year is not entered."""
    return item_case_due_unknown_list().select_related("case__thing").defer(*_ITEM_DEFERRED)


@dataclass(frozen=True, slots=True)
class YearAlert:
    """A year the working-day calendar lacks: raised by the sweeps (with counts), or foreseen."""

    year: int
    item_cases: int = 0
    cases: int = 0
    raised: bool = False


def calendar_alerts() -> list[YearAlert]:
    """The sweeps' open calendar alerts, and this year or next when the calendar does not cover them yet."""
    alerts = [YearAlert(alert.year, alert.item_cases, alert.cases, raised=True) for alert in calendar_alert_list()]
    raised = {alert.year for alert in alerts}
    today = clock.today()
    covered = work_calendar().covered_years
    foreseen = [YearAlert(year) for year in (today.year, today.year + 1) if year not in covered and year not in raised]
    return sorted(alerts + foreseen, key=lambda alert: alert.year)


@dataclass(frozen=True, slots=True)
class ArrangementWarning:
    """The official holiday arrangement runs out: the year to enter and what is provisional meanwhile.

    Attributes:
        year: The year whose arrangement should be entered.
        last: The last year with an official arrangement.
        item_cases: Running item cases whose due date is provisional (预计), counted up to ``cap``.
        cases: Open cases whose expected-ready date is provisional, counted up to ``cap``.
        item_cases_more, cases_more: More than ``cap`` of them (the page says so instead of counting all).
    """

    year: int
    last: int | None
    item_cases_more: bool = False
    cases_more: bool = False
    cap: int = COUNT_CAP
    item_cases: int = 0
    cases: int = 0


def arrangement_warning(*, cap: int = COUNT_CAP) -> ArrangementWarning | None:
    """A warning from ``LIANBAN_CALENDAR_WARNING_DAYS`` days before the last officially arranged year ends.

    Counts the provisional dates up to ``cap`` (the page then says "more than").
    """
    last = max(confirmed_years(), default=None)
    year = arrangement_needed(last, clock.today(), settings.LIANBAN_CALENDAR_WARNING_DAYS)
    if year is None:
        return None
    closed = [state.value for state in flow.FINAL_CASE_STATES]
    # capped: in December nearly every running item may be provisional, and a city has hundreds of thousands
    items, items_more = capped_count(ItemCase.objects.filter(RUNNING_ITEMS, due_provisional=True), cap)
    cases, cases_more = capped_count(Case.objects.filter(eta_provisional=True).exclude(state__in=closed), cap)
    return ArrangementWarning(
        year=year,
        last=last,
        item_cases=items,
        item_cases_more=items_more,
        cases=cases,
        cases_more=cases_more,
        cap=cap,
    )
