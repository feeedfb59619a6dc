"""Reads of cases: lists per user, one case with its parts, the trail, public tracking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.access import REVIEWER_VISIBLE_STATES, reviewer_item_codes
from lianban.cases.models import Case, CaseEvent, CaseMaterial, CaseState, DueStatus, ItemCase, ItemState, Notification
from lianban.cases.workflow import due_unknown_note, item_view
from lianban.catalog.models import Department, Item
from lianban.core import case_flow as flow
from lianban.core.errors import CalendarNotCovered
from lianban.core.tracking import normalise_code


def case_list_for_user(user: User) -> QuerySet[Case]:
    """The cases ``user`` may see (same rule as ``access_case_for_user``), newest first."""
    cases = Case.objects.select_related("applicant", "thing", "lead_department").order_by("-submitted_at", "-id")
    if not user.is_active:
        return cases.none()
    if user.role == Role.APPLICANT:
        return cases.filter(applicant__memberships__user=user)
    if user.role == Role.CLERK:
        return cases if user.department_id is None else cases.filter(lead_department_id=user.department_id)
    if user.role == Role.REVIEWER and user.department_id is not None:
        mine = ItemCase.objects.filter(department_id=user.department_id, state__in=REVIEWER_VISIBLE_STATES)
        return cases.filter(pk__in=mine.values("case_id"))
    if user.role == Role.SUPERVISOR:
        return cases
    return cases.none()


def case_intake_queue(user: User) -> QuerySet[Case]:
    """Cases waiting for an intake decision at the clerk's window, oldest first."""
    pending = [CaseState.SUBMITTED, CaseState.RESUBMITTED]
    return case_list_for_user(user).filter(state__in=pending).order_by("submitted_at", "id")


def case_issuance_queue(user: User) -> QuerySet[Case]:
    """Ready cases at the clerk's window, oldest first."""
    return case_list_for_user(user).filter(state=CaseState.READY).order_by("ready_at", "id")


def case_get_by_code(code: str) -> Case | None:
    """The case with a tracking code typed by a person (any case, dashes optional), or None."""
    canonical = normalise_code(code)
    if canonical is None:
        return None
    return Case.objects.select_related("thing", "lead_department").filter(tracking_code=canonical).first()


def item_case_list(case: Case) -> list[ItemCase]:
    """The case's item cases in plan order, with their departments."""
    return list(ItemCase.objects.filter(case=case).select_related("department").order_by("position"))


def case_materials_for_user(user: User, case: Case) -> list[CaseMaterial]:
    """The case's materials as ``user`` may see them: a reviewer only those their department's items need."""
    materials = list(CaseMaterial.objects.filter(case=case).select_related("licence").order_by("position"))
    if user.role != Role.REVIEWER:
        return materials
    own = reviewer_item_codes(user, case)
    return [m for m in materials if own & set(m.needed_by)]


def item_form_fields(item_codes: set[str]) -> set[str]:
    """The form fields the catalog items ``item_codes`` read."""
    keys: set[str] = set()
    for fields in Item.objects.filter(code__in=item_codes).values_list("form_fields", flat=True):
        keys.update(fields or [])
    return keys


def case_materials_for_item_case(item: ItemCase) -> list[CaseMaterial]:
    """The materials one item needs (what its reviewer works with)."""
    materials = CaseMaterial.objects.filter(case_id=item.case_id).select_related("licence").order_by("position")
    return [m for m in materials if item.item_code in m.needed_by]


def case_event_list(case: Case, *, item_case: ItemCase | None = None) -> QuerySet[CaseEvent]:
    """The audit trail of a case (or of one of its item cases), oldest first."""
    events = CaseEvent.objects.filter(case=case).select_related("actor", "item_case")
    if item_case is not None:
        events = events.filter(Q(item_case=item_case))
    return events.order_by("at", "id")


def case_list_filter(
    cases: QuerySet[Case],
    *,
    state: str = "",
    thing: str = "",
    department: str = "",
    overdue: bool | None = None,
) -> QuerySet[Case]:
    """Narrow a list of cases: by state, thing code, a department deciding one of its items, overdue items."""
    if state:
        cases = cases.filter(state=state)
    if thing:
        cases = cases.filter(thing__code=thing)
    if department:
        cases = cases.filter(pk__in=ItemCase.objects.filter(department__code=department).values("case_id"))
    if overdue is not None:
        late = ItemCase.objects.filter(
            state__in=[s.value for s in flow.RUNNING_ITEM_STATES], due_status=DueStatus.OVERDUE
        )
        late_cases = late.values("case_id")
        cases = cases.filter(pk__in=late_cases) if overdue else cases.exclude(pk__in=late_cases)
    return cases


def case_event_list_for_user(user: User, case: Case) -> list[CaseEvent]:
    """The trail as ``user`` may read it: whole for the window and supervisors.

    A reviewer reads what happened to the case (``case.*`` events) and every
    event of their own department's item cases, nothing about other
    departments' items, intake checks, files or the bill.
    """
    events = case_event_list(case)
    if user.role != Role.REVIEWER:
        return list(events)
    own = reviewer_item_codes(user, case)
    return [
        event
        for event in events
        if (event.item_case is None and event.action.startswith("case."))
        or (event.item_case is not None and event.item_case.item_code in own)
    ]


def notification_list_for_user(user: User) -> QuerySet[Notification]:
    """In-app notifications of the applicants ``user`` acts for, newest first."""
    return Notification.objects.filter(applicant__memberships__user=user).select_related("case")


def _due_status(item: ItemCase) -> str:
    try:
        status = flow.item_due_status(clock.calendar(), item_view(item), clock.today(), settings.LIANBAN_DUE_SOON_DAYS)
    except CalendarNotCovered:
        return item.due_status
    return status.value if status is not None else ""


def case_progress(case: Case) -> dict[str, Any]:
    """Progress of a case by stage and item, with the ETA. No personal data.

    An item without a due date (``due_status`` ``UNKNOWN``) says why in
    ``due_note`` (the calendar year that is not entered); the ETA is then None.
    """
    items = item_case_list(case)
    departments = {d.pk: d.name for d in Department.objects.filter(pk__in={i.department_id for i in items})}
    stages: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        due_status = _due_status(item) if item.state in flow.RUNNING_ITEM_STATES else ""
        stages.setdefault(item.stage, []).append(
            {
                "code": item.item_code,
                "name": item.item_name,
                "department": departments[item.department_id],
                "state": item.state,
                "state_label": str(ItemState(item.state).label),
                "due_status": due_status,
                "due_note": due_unknown_note(item.due_year_missing) if due_status == DueStatus.UNKNOWN else "",
                "held": item.held,
                "started_on": item.started_on.isoformat() if item.started_on else None,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "finished_on": item.finished_on.isoformat() if item.finished_on else None,
            }
        )
    return {
        "code": case.code_for_people,
        "thing": case.thing.code,
        "thing_name": case.plan.get("thing_name", case.thing.name),
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "outcome": case.outcome,
        "submitted_on": clock.local_date(case.submitted_at).isoformat(),
        "accepted_on": clock.local_date(case.accepted_at).isoformat() if case.accepted_at else None,
        "ready_on": clock.local_date(case.ready_at).isoformat() if case.ready_at else None,
        "eta": case.eta.isoformat() if case.eta else None,
        "stages": [{"stage": number, "items": stages[number]} for number in sorted(stages)],
    }


def track(code: str) -> dict[str, Any] | None:
    """Public tracking (``GET /api/track/{code}``): progress by stage and item, ETA; no personal data.

    Returns None for an unknown or malformed code.
    """
    case = case_get_by_code(code)
    if case is None:
        return None
    return case_progress(case)
