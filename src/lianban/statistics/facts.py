"""Building the fact rows of a set of cases from what the cases, their audit trails, signals and orders hold.

Read with a constant number of statements for any number of cases (one per
table), computed in Python, written with one upsert per fact table: the same
cases built twice give the same rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count

from lianban.cases import clock
from lianban.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseState,
    Channel,
    DueStatus,
    ItemCase,
    ItemState,
    Provenance,
)
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.issuance.models import DeliveryMethod, Issuance
from lianban.statistics import cells
from lianban.statistics.models import CaseFact, FactStatus, ItemFact
from lianban.supervision.models import Signal, SupervisionOrder

#: The audit actions the facts count.
COUNTED_ACTIONS = (
    "case.accepted",
    "case.correction_requested",
    "case.resubmitted",
    "case.identity_confirmed",
    "item.supplement_requested",
)
_CASE_STATUS = {
    CaseState.SUBMITTED: FactStatus.WAITING,
    CaseState.CORRECTION_REQUESTED: FactStatus.WAITING,
    CaseState.RESUBMITTED: FactStatus.WAITING,
    CaseState.IN_PROGRESS: FactStatus.OPEN,
    CaseState.READY: FactStatus.DONE,
    CaseState.ISSUED: FactStatus.DONE,
    CaseState.REFUSED: FactStatus.ENDED,
    CaseState.WITHDRAWN: FactStatus.ENDED,
}
_ITEM_STATUS = {
    ItemState.WAITING: FactStatus.WAITING,
    ItemState.DISPATCHED: FactStatus.OPEN,
    ItemState.IN_REVIEW: FactStatus.OPEN,
    ItemState.SUPPLEMENT: FactStatus.OPEN,
    ItemState.APPROVED: FactStatus.DONE,
    ItemState.REJECTED: FactStatus.DONE,
    ItemState.CANCELLED: FactStatus.ENDED,
}
_SHARED = (
    "thing",
    "window",
    "channel",
    "received_on",
    "finished_on",
    "status",
    "promised_days",
    "days_used",
    "due_on",
    "late",
    "paused",
    "early",
    "instant",
    "corrections",
    "supplements",
    "signals",
    "orders",
    "provisional",
    "built_at",
)
CASE_FIELDS = (
    *_SHARED,
    "department",
    "items",
    "trips_separate",
    "trips_promised",
    "trips_realised",
    "materials_separate",
    "materials_promised",
    "materials_realised",
    "forms_separate",
    "forms_promised",
    "forms_realised",
    "days_separate",
)
ITEM_FIELDS = (*_SHARED, "case", "department", "item_code", "item_name")


@dataclass
class _Trail:
    """What a case's audit trail tells the statistics."""

    window_id: int | None = None
    corrections: int = 0
    resubmissions: int = 0
    counter_visits: int = 0  # resubmissions and identity checks done at a window


def _day(moment: datetime | None) -> date | None:
    return clock.local_date(moment) if moment is not None else None


def _days_between(calendar: Calendar, start: date | None, end: date | None, paused: int = 0) -> int | None:
    if start is None or end is None:
        return None
    try:
        return max(calendar.working_days_between(start, end) - paused, 0)
    except CalendarNotCovered:
        return None


def _provisional(calendar: Calendar, start: date | None, *ends: date | None) -> bool:
    """Whether a count from ``start`` to the latest of ``ends`` runs through a provisional year (预计)."""
    known = [end for end in ends if end is not None]
    if start is None or not known:
        return False
    return calendar.provisional_between(start, max(known))


def _trails(case_ids: Collection[int]) -> tuple[dict[int, _Trail], Counter[int]]:
    trails: dict[int, _Trail] = defaultdict(_Trail)
    supplements: Counter[int] = Counter()
    rows = (
        CaseEvent.objects.filter(case_id__in=case_ids, action__in=COUNTED_ACTIONS)
        .order_by()
        .values_list("case_id", "item_case_id", "action", "actor_id", "actor_role")
    )
    for case_id, item_case_id, action, actor_id, role in rows:
        trail = trails[case_id]
        if action == "case.accepted":
            trail.window_id = actor_id
        elif action == "case.correction_requested":
            trail.corrections += 1
        elif action == "case.resubmitted":
            trail.resubmissions += 1
            trail.counter_visits += role == "CLERK"
        elif action == "case.identity_confirmed":
            trail.counter_visits += 1
        elif item_case_id is not None:
            supplements[item_case_id] += 1
    return trails, supplements


def _counts(case_ids: Collection[int]) -> tuple[Counter[int], Counter[int], Counter[int], Counter[int]]:
    """Signals and 督办 orders per case and per item case."""
    case_signals: Counter[int] = Counter()
    item_signals: Counter[int] = Counter()
    for case_id, item_case_id, n in (
        Signal.objects.filter(case_id__in=case_ids)
        .order_by()
        .values("case_id", "item_case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "item_case_id", "n")
    ):
        case_signals[case_id] += n
        if item_case_id is not None:
            item_signals[item_case_id] += n
    case_orders: Counter[int] = Counter()
    item_orders: Counter[int] = Counter()
    links = SupervisionOrder.cases.through.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "supervisionorder__item_case_id"
    )
    for case_id, item_case_id in links:
        case_orders[case_id] += 1
        if item_case_id is not None:
            item_orders[item_case_id] += 1
    return case_signals, item_signals, case_orders, item_orders


def build(case_ids: Iterable[int], *, now: datetime | None = None) -> tuple[int, int]:
    """Write the fact rows of these cases (insert or replace); return how many case and item rows were written."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0, 0
    now = now or clock.now()
    calendar = clock.calendar()
    cases = list(
        Case.objects.filter(pk__in=ids)
        .order_by()
        .only(
            "id",
            "thing_id",
            "lead_department_id",
            "channel",
            "state",
            "plan",
            "entered_by_id",
            "accepted_at",
            "ready_at",
            "closed_at",
        )
    )
    items_of: dict[int, list[ItemCase]] = defaultdict(list)
    for item in ItemCase.objects.filter(case_id__in=ids).order_by("case_id", "position"):
        items_of[item.case_id].append(item)
    trails, supplements = _trails(ids)
    case_signals, item_signals, case_orders, item_orders = _counts(ids)
    handed_in = Counter(
        dict(
            CaseMaterial.objects.filter(case_id__in=ids, provenance=Provenance.SUBMIT, state="RECEIVED")
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
    )
    picked_up = set(
        Issuance.objects.filter(case_id__in=ids, method=DeliveryMethod.PICKUP).values_list("case_id", flat=True)
    )

    case_rows: list[CaseFact] = []
    item_rows: list[ItemFact] = []
    for case in cases:
        trail = trails.get(case.pk, _Trail())
        window_id = trail.window_id or case.entered_by_id
        shared: dict[str, Any] = {
            "thing_id": case.thing_id,
            "window_id": window_id,
            "channel": case.channel,
            "built_at": now,
        }
        received_on = _day(case.accepted_at)
        items = items_of.get(case.pk, [])
        counted = [i for i in items if i.state != ItemState.CANCELLED]
        for item in items:
            status = _ITEM_STATUS[ItemState(item.state)]
            ended = item.finished_on or _day(case.closed_at) if status == FactStatus.ENDED else None
            finished_on = item.finished_on if status == FactStatus.DONE else None
            due = item.due_on
            is_running = status == FactStatus.OPEN
            item_rows.append(
                ItemFact(
                    item_case_id=item.pk,
                    case_id=case.pk,
                    department_id=item.department_id,
                    item_code=item.item_code,
                    item_name=item.item_name,
                    received_on=item.started_on,
                    finished_on=finished_on or ended,
                    status=status,
                    promised_days=item.promised_days,
                    days_used=_days_between(calendar, item.started_on, finished_on, item.paused_days),
                    due_on=due,
                    late=(finished_on is not None and due is not None and finished_on > due)
                    or (status == FactStatus.OPEN and item.due_status == DueStatus.OVERDUE),
                    paused=item.state == ItemState.SUPPLEMENT,
                    early=finished_on is not None and due is not None and finished_on < due,
                    instant=item.promised_days == 0,
                    corrections=0,
                    supplements=supplements[item.pk],
                    signals=item_signals[item.pk],
                    orders=item_orders[item.pk],
                    # its due date is still 预计 (recomputed when the arrangement is entered), or a count runs
                    # through a year the calendar has only provisionally
                    provisional=(is_running and due is not None and item.due_provisional)
                    or _provisional(calendar, item.started_on, finished_on, due),
                    **shared,
                )
            )
        status = _CASE_STATUS[CaseState(case.state)]
        finished_on = _day(case.ready_at) if status == FactStatus.DONE else None
        ended = _day(case.closed_at) if status == FactStatus.ENDED else None
        dues = [i.due_on for i in counted if i.due_on is not None]
        due_on = max(dues) if dues else None
        own = item_rows[len(item_rows) - len(items) :]
        late = any(r.late for r in own)
        running = [r for r in own if r.status == FactStatus.OPEN]
        plan = case.frozen_plan
        before, after = plan.reductions.get("before", {}), plan.reductions.get("after", {})
        visits = trail.counter_visits + (case.channel == Channel.WINDOW) + (case.pk in picked_up)
        case_rows.append(
            CaseFact(
                case_id=case.pk,
                department_id=case.lead_department_id,
                items=len(counted),
                received_on=received_on,
                finished_on=finished_on or ended,
                status=status,
                promised_days=plan.plan_days,
                days_used=_days_between(calendar, received_on, finished_on),
                due_on=due_on,
                late=late,
                paused=bool(running) and all(r.paused for r in running),
                early=finished_on is not None and not late and due_on is not None and finished_on < due_on,
                instant=bool(counted) and all(i.promised_days == 0 for i in counted),
                corrections=trail.corrections,
                supplements=sum(supplements[i.pk] for i in items),
                signals=case_signals[case.pk],
                orders=case_orders[case.pk],
                provisional=any(r.provisional for r in own if r.status != FactStatus.ENDED)
                or _provisional(calendar, received_on, finished_on, due_on),
                trips_separate=before.get("trips", 0),
                trips_promised=after.get("trips", 0),
                trips_realised=visits,
                materials_separate=before.get("materials", 0),
                materials_promised=after.get("materials", 0),
                materials_realised=handed_in[case.pk],
                forms_separate=before.get("forms", 0),
                forms_promised=after.get("forms", 0),
                forms_realised=1 + trail.resubmissions,
                days_separate=plan.serial_days,
                **shared,
            )
        )
    with transaction.atomic():
        # under the cells' lock, the rows replaced are read, so that the month cells move by the difference
        kept = cells.lock(today=clock.local_date(now))
        old_cases = list(CaseFact.objects.filter(case_id__in=[row.case_id for row in case_rows]))
        old_items = list(ItemFact.objects.filter(item_case_id__in=[row.item_case_id for row in item_rows]))
        cells.move(old_cases, case_rows, old_items, item_rows, through=kept)
        CaseFact.objects.bulk_create(
            case_rows, update_conflicts=True, unique_fields=["case"], update_fields=list(CASE_FIELDS)
        )
        ItemFact.objects.bulk_create(
            item_rows, update_conflicts=True, unique_fields=["item_case"], update_fields=list(ITEM_FIELDS)
        )
    return len(case_rows), len(item_rows)
