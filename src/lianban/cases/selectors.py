"""Reads of cases: lists per user, one case with its parts, the trail, public tracking."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import translation

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.models import Case, CaseEvent, CaseMaterial, CaseState, DueStatus, ItemCase, ItemState, Notification
from lianban.cases.workflow import case_generation, due_unknown_note, item_view
from lianban.catalog.models import CatalogRevision, Department
from lianban.common import generations
from lianban.core import case_flow as flow
from lianban.core.errors import CalendarNotCovered
from lianban.core.tracking import normalise_code
from lianban.workdays.models import CalendarRevision


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
        return cases.filter(item_cases__department_id=user.department_id).distinct()
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
    if user.department_id is None:
        return []
    own = set(ItemCase.objects.filter(case=case, department_id=user.department_id).values_list("item_code", flat=True))
    return [m for m in materials if own & set(m.needed_by)]


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
    return [
        event
        for event in events
        if (event.item_case is None and event.action.startswith("case."))
        or (event.item_case is not None and event.item_case.department_id == user.department_id)
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

    Returns None for an unknown or malformed code. Served from the cache
    while the case's :func:`track_stamp` is unchanged.
    """
    stamp = track_stamp(code)
    if stamp is None:
        return None
    return track_memo(stamp, "progress", lambda: track_progress(stamp))


# ------------------------------------------------------------------ public tracking, cached by what it shows

#: Part of every tracking cache key and ETag: change it when the tracking answer's format changes.
TRACK_FORMAT = 1
#: How long an answer stays in the cache (its key changes with the day anyway).
TRACK_CACHE_SECONDS = 24 * 3600
_T = TypeVar("_T")


@dataclass(frozen=True)
class TrackStamp:
    """What the tracking answer of a case is computed from, as one key.

    ``key`` changes whenever the answer may change: the case's version (every
    transition and touch, and every ETA change), its last event (every
    service write appends one: deadline sweeps included), the day (due
    statuses and the ETA count from today), the working-day calendar, the
    catalog (department names), the language and the due-soon setting.
    """

    case_id: int
    key: str

    @property
    def etag(self) -> str:
        """A strong HTTP ETag of the answer (opaque: nothing of the key shows)."""
        return '"' + hashlib.blake2b(self.key.encode(), digest_size=12).hexdigest() + '"'


def _stamp_sql() -> str:
    # table names and constants from the models only; the code is the one parameter
    return (
        "SELECT c.id, c.version,"  # noqa: S608
        f" (SELECT max(e.id) FROM {CaseEvent._meta.db_table} e WHERE e.case_id = c.id),"
        f" (SELECT r.token FROM {CalendarRevision._meta.db_table} r WHERE r.id = {CalendarRevision.SINGLETON}),"
        f" (SELECT k.token FROM {CatalogRevision._meta.db_table} k WHERE k.id = 1)"
        f" FROM {Case._meta.db_table} c WHERE c.tracking_code = %s"
    )


_STAMP_SQL = _stamp_sql()


def _stamp_row(canonical: str) -> tuple[int, str] | None:
    """Case id and the database part of the stamp, in one indexed read (None: no such case).

    Plain SQL: this read runs on tracking requests (the public's most
    frequent), and the ORM would cost more than the read itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [canonical])
        row = cursor.fetchone()
    if row is None:
        return None
    case_id, version, last_event, calendar_token, catalog_token = row
    return case_id, f"{version}:{last_event or 0}:{calendar_token or ''}:{catalog_token or ''}"


def track_stamp(code: str) -> TrackStamp | None:
    """The stamp of the case with this tracking code; None for an unknown or malformed code.

    With a shared cache the database part is itself cached under the
    generations of the case, the calendar and the catalog (renewed when a
    transaction that locked the case, changed the calendar or the catalog
    commits; see ``lianban.common.generations``): a request then reads the
    cache only. Otherwise it is read from the database every time.
    """
    canonical = normalise_code(code)
    if canonical is None:
        return None
    if generations.shared():
        entry_key = f"lianban:track:stamp:{canonical}"
        tokens, found = generations.generations(
            [case_generation(canonical), generations.CALENDAR, generations.CATALOG], [entry_key]
        )
        entry = found.get(entry_key)
        if isinstance(entry, tuple) and list(entry[:3]) == tokens:
            case_id, data = entry[3], entry[4]
        else:
            row = _stamp_row(canonical)
            if row is None:
                return None
            case_id, data = row
            cache.set(entry_key, (*tokens, case_id, data), TRACK_CACHE_SECONDS)
    else:
        row = _stamp_row(canonical)
        if row is None:
            return None
        case_id, data = row
    key = (
        f"{TRACK_FORMAT}:{case_id}:{data}:{clock.today().isoformat()}:"
        f"{translation.get_language() or ''}:{settings.LIANBAN_DUE_SOON_DAYS}"
    )
    return TrackStamp(case_id=case_id, key=key)


def track_progress(stamp: TrackStamp) -> dict[str, Any]:
    """The tracking answer of the stamped case, computed from the database (no cache)."""
    return case_progress(Case.objects.select_related("thing", "lead_department").get(pk=stamp.case_id))


def track_memo(stamp: TrackStamp, kind: str, build: Callable[[], _T]) -> _T:
    """``build()``, cached under the stamp's key (``kind`` tells apart the forms an answer is kept in)."""
    key = f"lianban:track:{kind}:{stamp.key}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TRACK_CACHE_SECONDS)
    return value
