"""Supervision reads: what is late, what is due soon, what has no due date yet, the signals, the state of all cases,
the 督办 orders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.models import Case, CaseMaterial, CaseState, DueStatus, ItemCase, MaterialState
from lianban.cases.selectors import overdue_item_cases
from lianban.catalog.models import Department
from lianban.core import case_flow as flow
from lianban.core.orders import OrderEvent, OrderState, allowed_events
from lianban.supervision.access import can_see_order, order_visibility
from lianban.supervision.models import CalendarAlert, DepartmentLeader, Signal, SignalSubject, SupervisionOrder

#: Running item states (the core's ``RUNNING_ITEM_STATES``).
RUNNING = sorted(state.value for state in flow.RUNNING_ITEM_STATES)


def item_case_overdue_list() -> QuerySet[ItemCase]:
    """Running item cases that are overdue (``cases.selectors.overdue_item_cases``: the workbench's rule too),
    the earliest due first."""
    return (
        ItemCase.objects.filter(overdue_item_cases(clock.today()))
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


#: What a window sees: the signals of the cases it serves, not the departments' item cases.
WINDOW_SUBJECTS = (SignalSubject.CASE, SignalSubject.INTAKE, SignalSubject.PROMISE)


def signal_list_for_user(user: User, *, level: str = "", department: str = "") -> QuerySet[Signal]:
    """The signals ``user`` may see, newest first, optionally of one level and one department (by code).

    The supervisor sees all; a reviewer their department's item cases'; a
    window clerk the cases, intake decisions and 容缺 promises of the cases
    their window serves (a comprehensive window: all of them); anyone else none.
    """
    rows = Signal.objects.select_related("case__thing", "item_case", "department", "responsible")
    if user.role == Role.REVIEWER and user.department_id is not None:
        rows = rows.filter(department_id=user.department_id, subject=SignalSubject.ITEM_CASE)
    elif user.role == Role.CLERK:
        rows = rows.filter(subject__in=WINDOW_SUBJECTS)
        if user.department_id is not None:
            rows = rows.filter(department_id=user.department_id)
    elif user.role != Role.SUPERVISOR or not user.is_active:
        return rows.none()
    if level:
        rows = rows.filter(level=level)
    if department:
        rows = rows.filter(department__code=department)
    return rows.order_by("-raised_at", "-id")


#: Levels by urgency, for the badge of a row with several signals.
_RANK = {"NOTICE": 1, "YELLOW": 2, "RED": 3}
_INTAKE_STATES = (CaseState.SUBMITTED, CaseState.RESUBMITTED)
_CLOSED_STATES = (CaseState.ISSUED, CaseState.REFUSED, CaseState.WITHDRAWN)


def _highest(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
    levels: dict[int, str] = {}
    for key, level in rows:
        if _RANK[level] > _RANK.get(levels.get(key, ""), 0):
            levels[key] = level
    return levels


def _current_item_signals() -> Q:
    """Signals of a running item case about its due date as it stands (not one a supplement moved on)."""
    return Q(subject=SignalSubject.ITEM_CASE, item_case__state__in=RUNNING, due_on=F("item_case__due_on"))


def item_signal_levels(item_ids: Iterable[int]) -> dict[int, str]:
    """The most urgent current signal of each running item case (one query for a page of rows)."""
    rows = Signal.objects.filter(_current_item_signals(), item_case_id__in=list(item_ids)).values_list(
        "item_case_id", "level"
    )
    return _highest(rows.order_by())


def case_signal_levels(case_ids: Iterable[int]) -> dict[int, str]:
    """The most urgent current signal of each case (one query for a page of rows).

    Current: of a running item about its present due date; of the case while
    it is open; of the intake decision while it is awaited; of a 容缺 promise
    while the material is still promised.
    """
    promised = CaseMaterial.objects.filter(pk=OuterRef("subject_id"), state=MaterialState.PROMISED)
    current = (
        _current_item_signals()
        | (Q(subject=SignalSubject.CASE) & ~Q(case__state__in=_CLOSED_STATES))
        | Q(subject=SignalSubject.INTAKE, case__state__in=_INTAKE_STATES)
        | (Q(subject=SignalSubject.PROMISE) & Q(Exists(promised)))
    )
    rows = Signal.objects.filter(current, case_id__in=list(case_ids)).values_list("case_id", "level")
    return _highest(rows.order_by())


def order_list_for_user(user: User, *, state: str = "", department: str = "") -> QuerySet[SupervisionOrder]:
    """The 督办 orders ``user`` may see (``supervision.access``), optionally of one state or department."""
    seen = order_visibility(user)
    if seen is None:
        return SupervisionOrder.objects.none()
    rows = SupervisionOrder.objects.filter(seen).select_related("department", "item_case")
    if state:
        rows = rows.filter(state=state)
    if department:
        rows = rows.filter(department__code=department)
    return rows


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order as the pages show it, with what its state means (never compared in a template)."""

    order: SupervisionOrder
    #: Not closed: some step is still to be taken.
    is_open: bool
    #: Escalated to the department's leader, and still open.
    escalated: bool
    #: The department signs for it by this day (while it waits to be signed for).
    sign_by: date | None
    #: The department replies by this day (while it waits for the reply).
    reply_by: date | None


def order_row(order: SupervisionOrder) -> OrderRow:
    """What ``order``'s state means for the pages (the core's order table)."""
    state = OrderState(order.state)
    events = allowed_events(state)
    is_open = bool(events)
    return OrderRow(
        order=order,
        is_open=is_open,
        escalated=is_open and order.escalated_at is not None,
        sign_by=order.sign_due_on if OrderEvent.SIGN in events else None,
        reply_by=order.reply_due_on if OrderEvent.REPLY in events else None,
    )


def order_rows(orders: list[SupervisionOrder]) -> list[OrderRow]:
    """``order_row`` of each order of a list page."""
    return [order_row(order) for order in orders]


def order_for_user(user: User, order_id: int) -> SupervisionOrder:
    """One order ``user`` may see, with its cases; Http404 otherwise."""
    order = (
        SupervisionOrder.objects.select_related("department", "item_case", "raised_by", "signed_by", "replied_by")
        .select_related("reviewed_by", "escalated_to")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not can_see_order(user, order):
        raise Http404
    return order


def order_cases(order: SupervisionOrder) -> list[Case]:
    """The cases an order concerns, oldest first."""
    return list(order.cases.select_related("thing").order_by("id"))


#: The order lists' keyset order: newest first.
ORDER_ORDER = ("-raised_at", "-id")


def department_has_leader(department_id: int) -> bool:
    """Whether a department's escalated 督办 orders have a leader to go to (one statement)."""
    return DepartmentLeader.objects.filter(department_id=department_id).exists()


def departments_without_leader() -> list[tuple[str, str]]:
    """(code, name) of the departments with an open 督办 order and no leader recorded (one statement).

    Their escalations go to the supervisors instead (``messaging.services``: the ``LEADER`` audience).
    """
    waiting = SupervisionOrder.objects.filter(department_id=OuterRef("pk"), state__in=["OPEN", "SIGNED"])
    leader = DepartmentLeader.objects.filter(department_id=OuterRef("pk"))
    return list(
        Department.objects.filter(Exists(waiting), ~Exists(leader)).order_by("code").values_list("code", "name")
    )
