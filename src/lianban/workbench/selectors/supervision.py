"""Reads of the supervisor's page: every case with filters, the due-soon and overdue lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import Case, DueStatus, ItemCase, ItemState
from lianban.cases.selectors import case_list_for_user
from lianban.supervision.selectors import calendar_alert_list, item_case_due_soon_list, item_case_due_unknown_list
from lianban.workbench.selectors.common import Deadline, item_deadline
from lianban.workdays.services import work_calendar

RUNNING = (ItemState.DISPATCHED, ItemState.IN_REVIEW, ItemState.SUPPLEMENT)


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """What the supervisor filters cases by (empty: no filter)."""

    state: str = ""
    thing: str = ""
    department: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    overdue_only: bool = False


def _overdue_items(today: date) -> Q:
    """Running item cases past their due date: found by the sweep, or plainly late with a running clock."""
    late = Q(state__in=[ItemState.DISPATCHED, ItemState.IN_REVIEW], due_on__lt=today)
    return Q(state__in=RUNNING) & (Q(due_status=DueStatus.OVERDUE) | late)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def case_search(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The cases ``user`` may see that match ``filters``, newest first."""
    cases = case_list_for_user(user)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.thing:
        cases = cases.filter(thing__code=filters.thing)
    if filters.department:
        with_item = ItemCase.objects.filter(department__code=filters.department).values("case_id")
        cases = cases.filter(Q(lead_department__code=filters.department) | Q(pk__in=with_item))
    if filters.submitted_from:
        cases = cases.filter(submitted_at__gte=_start_of(filters.submitted_from))
    if filters.submitted_to:
        cases = cases.filter(submitted_at__lt=_start_of(filters.submitted_to + timedelta(days=1)))
    if filters.overdue_only:
        late = ItemCase.objects.filter(_overdue_items(clock.today())).values("case_id")
        cases = cases.filter(pk__in=late)
    return cases.order_by("-submitted_at", "-id")


def overdue_counts(cases: list[Case]) -> dict[int, int]:
    """How many running item cases of each case are overdue."""
    counts: dict[int, int] = {}
    rows = ItemCase.objects.filter(_overdue_items(clock.today()), case__in=cases).values_list("case_id", flat=True)
    for case_id in rows:
        counts[case_id] = counts.get(case_id, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class WatchRow:
    """An item case on a supervision list."""

    item: ItemCase
    deadline: Deadline | None


def due_soon_rows() -> list[WatchRow]:
    """Running item cases due soon (as the last deadline sweep found them)."""
    return [WatchRow(item, item_deadline(item)) for item in item_case_due_soon_list().select_related("case__thing")]


def overdue_rows() -> list[WatchRow]:
    """Running item cases that are overdue: found by the sweep, or late with a running clock."""
    items = (
        ItemCase.objects.filter(_overdue_items(clock.today()))
        .select_related("case", "case__thing", "department")
        .order_by("due_on", "id")
    )
    return [WatchRow(item, item_deadline(item)) for item in items]


def due_unknown_rows() -> list[WatchRow]:
    """Running item cases without a due date: their calendar year is not entered."""
    return [WatchRow(item, item_deadline(item)) for item in item_case_due_unknown_list().select_related("case__thing")]


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
