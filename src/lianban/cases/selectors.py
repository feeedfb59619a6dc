"""Reads of cases: lists per user, one case with its parts, the trail, public tracking."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, ApplicantMember, Role, User
from lianban.accounts.selectors import identity_digest_search
from lianban.cases import clock, track_local
from lianban.cases.access import REVIEWER_VISIBLE_STATES, reviewer_item_codes
from lianban.cases.models import Case, CaseEvent, CaseMaterial, CaseState, DueStatus, ItemCase, ItemState, Notification
from lianban.cases.workflow import case_generation, due_unknown_note, item_view
from lianban.catalog.models import CatalogRevision, Department, Item
from lianban.common import generations
from lianban.core import case_flow as flow
from lianban.core.errors import CalendarNotCovered
from lianban.core.tracking import normalise_code
from lianban.workdays.models import CalendarRevision


def _acting_for(user: User) -> QuerySet[ApplicantMember, Any]:
    return ApplicantMember.objects.filter(user=user).values("applicant_id")


def case_list_for_user(user: User) -> QuerySet[Case]:
    """The cases ``user`` may see (same rule as ``access_case_for_user``), newest first.

    Each rule is a condition on an indexed column of the case, or an ``EXISTS`` on an indexed column
    of its item cases: no join that multiplies rows, no ``DISTINCT``.
    """
    cases = Case.objects.select_related("applicant", "thing", "lead_department").order_by("-submitted_at", "-id")
    if not user.is_active:
        return cases.none()
    if user.role == Role.APPLICANT:
        return cases.filter(applicant_id__in=_acting_for(user))
    if user.role == Role.CLERK:
        return cases if user.department_id is None else cases.filter(lead_department_id=user.department_id)
    if user.role == Role.REVIEWER and user.department_id is not None:
        own_items = ItemCase.objects.filter(
            case_id=OuterRef("pk"), department_id=user.department_id, state__in=REVIEWER_VISIBLE_STATES
        )
        return cases.filter(Exists(own_items))
    if user.role == Role.SUPERVISOR:
        return cases
    return cases.none()


#: The order of the intake queue: the longest waiting since its latest (re)submission first.
INTAKE_ORDER = ("waiting_since", "id")


def case_intake_queue(user: User) -> QuerySet[Case]:
    """Cases waiting for an intake decision at the clerk's window, the longest waiting first."""
    pending = [CaseState.SUBMITTED, CaseState.RESUBMITTED]
    return (
        case_list_for_user(user)
        .filter(state__in=pending)
        .annotate(waiting_since=Coalesce("resubmitted_at", "submitted_at"))
        .order_by(*INTAKE_ORDER)
    )


def case_issuance_queue(user: User) -> QuerySet[Case]:
    """Ready cases at the clerk's window, oldest first, with their bills."""
    return case_list_for_user(user).filter(state=CaseState.READY).select_related("bill").order_by("ready_at", "id")


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


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def applicant_matching(term: str) -> QuerySet[Applicant, Any]:
    """Applicants whose name starts with ``term`` or whose whole identity number is ``term`` (both indexed).

    The identity number is encrypted: it is found by its lookup digest, never by the ciphertext.
    """
    term = term.strip()
    by_number = identity_digest_search(Applicant.objects.all(), term, "")
    return Applicant.objects.filter(Q(name__startswith=term) | Q(pk__in=by_number.values("pk"))).values("pk")


@dataclass(frozen=True, slots=True)
class ItemActions:
    """What an item case's state allows, for the pages (the core's ``allowed_events``: never compare states
    in a template).

    ``can_approve`` is the state's answer: a 容缺-held item shows the approval disabled with the reason.
    """

    can_take: bool
    can_request_supplement: bool
    can_supply: bool
    can_approve: bool
    can_reject: bool
    #: Its clock is stopped: a supplement (补正) is asked for.
    clock_stopped: bool
    #: It was approved: its result (licence number, document) can be shown.
    has_result: bool


def item_actions(item: ItemCase) -> ItemActions:
    """What ``item``'s state allows (who may do it is the services' and views' concern)."""
    allowed = flow.allowed_events(item.state)
    return ItemActions(
        can_take="take" in allowed,
        can_request_supplement="request_supplement" in allowed,
        can_supply="supply" in allowed,
        can_approve="approve" in allowed,
        can_reject="reject" in allowed,
        clock_stopped=item.state == flow.ItemState.SUPPLEMENT,
        has_result=item.state == flow.ItemState.APPROVED,
    )


def case_can_issue(case: Case) -> bool:
    """Whether the case's state lets the window issue its results (统一出件; the bill must be settled too)."""
    return "issue" in flow.allowed_case_events(case.state)


def case_can_rate(case: Case) -> bool:
    """Whether the case is finished, so that the applicant may rate the service (好差评)."""
    return case.state in flow.FINAL_CASE_STATES


def case_intake_open(case: Case) -> bool:
    """Whether the case waits for an intake decision (the clerk checks materials and decides)."""
    return case.state in flow.OPEN_FOR_INTAKE


def overdue_item_cases(today: date) -> Q:
    """Running item cases past their due date: found by the sweep, or plainly late with a running clock.

    Both have a stored due date before today (a paused clock only moves the effective due date later),
    so the condition starts with that range, which the partial index of running items serves in order.
    """
    running = [s.value for s in flow.RUNNING_ITEM_STATES]
    ticking = [flow.ItemState.DISPATCHED.value, flow.ItemState.IN_REVIEW.value]
    return Q(state__in=running, due_on__lt=today) & (Q(due_status=DueStatus.OVERDUE) | Q(state__in=ticking))


def case_list_filter(
    cases: QuerySet[Case],
    *,
    state: str = "",
    thing: str = "",
    department: str = "",
    overdue: bool | None = None,
    code: str = "",
    applicant: str = "",
    submitted_from: date | None = None,
    submitted_to: date | None = None,
) -> QuerySet[Case]:
    """Narrow a list of cases: by state, thing code, a department deciding one of its items, overdue items,
    tracking code, applicant (name prefix or identity number) and submission dates (inclusive).

    Conditions on item cases are ``EXISTS`` subqueries on indexed columns. ``overdue`` is the deadline sweep's
    finding (every 15 minutes), kept on the case (``has_overdue_items``, a partial index newest first), as the
    supervisor's list of overdue items shows it.
    """
    if state:
        cases = cases.filter(state=state)
    if thing:
        cases = cases.filter(thing__code=thing)
    if department:
        deciding = ItemCase.objects.filter(case_id=OuterRef("pk"), department__code=department)
        cases = cases.filter(Exists(deciding))
    if overdue is not None:
        cases = cases.filter(has_overdue_items=overdue)
    if code:
        cases = cases.filter(tracking_code=normalise_code(code) or "")
    if applicant.strip():
        cases = cases.filter(applicant_id__in=applicant_matching(applicant))
    if submitted_from:
        cases = cases.filter(submitted_at__gte=start_of_day(submitted_from))
    if submitted_to:
        cases = cases.filter(submitted_at__lt=start_of_day(submitted_to + timedelta(days=1)))
    return cases


def case_event_list_for_user(user: User, case: Case) -> QuerySet[CaseEvent]:
    """The trail as ``user`` may read it, oldest first: whole for the window and supervisors.

    A reviewer reads what happened to the case (``case.*`` events) and every
    event of their own department's item cases, nothing about other
    departments' items, intake checks, files or the bill.
    """
    events = case_event_list(case)
    if user.role != Role.REVIEWER:
        return events
    about_case = Q(item_case__isnull=True, action__startswith="case.")
    return events.filter(about_case | Q(item_case__item_code__in=reviewer_item_codes(user, case)))


def notification_list_for_user(user: User) -> QuerySet[Notification]:
    """In-app notifications of the applicants ``user`` acts for, newest first."""
    return (
        # the applicant ids as values (one read): the planner then walks (applicant, created_at, id)
        Notification.objects.filter(applicant_id__in=list(_acting_for(user).values_list("applicant_id", flat=True)))
        .select_related("case")
        .order_by("-created_at", "-id")
    )


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
    ``due_provisional`` / ``eta_provisional``: the date is counted through a
    year without an official holiday arrangement yet (预计).
    """
    items = item_case_list(case)
    departments = {d.pk: d.name for d in Department.objects.filter(pk__in={i.department_id for i in items})}
    stages: dict[int, list[dict[str, Any]]] = {}
    before_acceptance = case.state in flow.BEFORE_ACCEPTANCE
    for item in items:
        due_status = _due_status(item) if item.state in flow.RUNNING_ITEM_STATES else ""
        stages.setdefault(item.stage, []).append(
            {
                "code": item.item_code,
                "name": item.item_name,
                "department": departments[item.department_id],
                "state": item.state,
                "state_label": (
                    str(_("waiting for acceptance"))  # 待受理: nothing is sent to a department before intake
                    if before_acceptance and item.state == ItemState.WAITING
                    else str(ItemState(item.state).label)
                ),
                "due_status": due_status,
                "due_note": due_unknown_note(item.due_year_missing) if due_status == DueStatus.UNKNOWN else "",
                "held": item.held,
                "started_on": item.started_on.isoformat() if item.started_on else None,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "due_provisional": bool(item.due_on)
                and item.due_provisional
                and item.state in flow.RUNNING_ITEM_STATES,
                "finished_on": item.finished_on.isoformat() if item.finished_on else None,
            }
        )
    return {
        "code": case.code_for_people,
        "thing": case.thing.code,
        "thing_name": case.thing_name,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "outcome": case.outcome,
        "submitted_on": clock.local_date(case.submitted_at).isoformat(),
        "accepted_on": clock.local_date(case.accepted_at).isoformat() if case.accepted_at else None,
        "ready_on": clock.local_date(case.ready_at).isoformat() if case.ready_at else None,
        "eta": case.eta.isoformat() if case.eta else None,
        "eta_provisional": bool(case.eta) and case.eta_provisional,
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

    On PostgreSQL the database part is kept in the process while the
    database's notifications say it is unchanged (``cases.track_local``):
    a request then reads nothing.

    With a shared cache the database part is itself cached under the
    generations of the case, the calendar and the catalog (renewed when a
    transaction that locked the case, changed the calendar or the catalog
    commits; see ``lianban.common.generations``): a request then reads the
    cache only. Otherwise it is read from the database every time.
    """
    canonical = normalise_code(code)
    if canonical is None:
        return None
    if track_local.enabled():
        row = track_local.STAMPS.stamp_row(canonical, _stamp_row)
        if row is None:
            return None
        case_id, data = row
    elif generations.shared():
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
    value: _T | None = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TRACK_CACHE_SECONDS)
    return value


def track_json(stamp: TrackStamp, build: Callable[[], bytes]) -> bytes:
    """The tracking answer as JSON bytes, cached under the stamp (and kept in the process where stamps are)."""
    if track_local.enabled():
        key = f"lianban:track:json:{stamp.key}"
        return track_local.STAMPS.answer(key, lambda: track_memo(stamp, "json", build))
    return track_memo(stamp, "json", build)


def material_names(case: Case) -> dict[str, str]:
    """Code → name of the case's materials (error messages name them)."""
    return dict(CaseMaterial.objects.filter(case=case).values_list("code", "name"))


def case_ids_by_tracking_code(codes: Iterable[str]) -> dict[str, int]:
    """Tracking code → case id for the codes that name a case."""
    return dict(Case.objects.filter(tracking_code__in=list(codes)).values_list("tracking_code", "id"))


def case_has_item_case(case: Case, item_case_id: int) -> bool:
    """Whether ``item_case_id`` is one of the case's item cases."""
    return ItemCase.objects.filter(case=case, pk=item_case_id).exists()


def case_material_file(case: Case, code: str) -> CaseMaterial | None:
    """The case's material ``code`` if a file was handed in for it."""
    return CaseMaterial.objects.filter(case=case, code=code).exclude(file="").first()
