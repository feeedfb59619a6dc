"""Supervision reads: what is late, what is due soon, what has no due date yet, the state of all cases."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from lianban.cases.models import Case, DueStatus, ItemCase, ItemState
from lianban.supervision.models import CalendarAlert

RUNNING = (ItemState.DISPATCHED, ItemState.IN_REVIEW, ItemState.SUPPLEMENT)


def item_case_overdue_list() -> QuerySet[ItemCase]:
    """Running item cases found overdue by the last sweep, latest due first."""
    return (
        ItemCase.objects.filter(state__in=RUNNING, due_status=DueStatus.OVERDUE)
        .select_related("case", "department")
        .order_by("due_on", "id")
    )


def item_case_due_soon_list() -> QuerySet[ItemCase]:
    """Running item cases due soon."""
    return (
        ItemCase.objects.filter(state__in=RUNNING, due_status=DueStatus.DUE_SOON)
        .select_related("case", "department")
        .order_by("due_on", "id")
    )


def item_case_due_unknown_list() -> QuerySet[ItemCase]:
    """Running item cases without a due date: their calendar year is not entered (``due_year_missing``)."""
    return (
        ItemCase.objects.filter(state__in=RUNNING, due_status=DueStatus.UNKNOWN)
        .select_related("case", "department")
        .order_by("due_year_missing", "started_on", "id")
    )


def calendar_alert_list(*, include_resolved: bool = False) -> QuerySet[CalendarAlert]:
    """Years the working-day calendar lacks while cases need them (open alerts unless ``include_resolved``)."""
    alerts = CalendarAlert.objects.order_by("year")
    return alerts if include_resolved else alerts.filter(resolved_at__isnull=True)


def case_counts_by_state() -> dict[str, int]:
    """How many cases are in each state."""
    rows = Case.objects.values("state").annotate(n=Count("id")).order_by("state")
    return {row["state"]: row["n"] for row in rows}
