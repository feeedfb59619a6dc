"""The case engine's shell: locking, transitions with their events, dispatch, completion.

Every public service of cases, intake, review and issuance runs inside one
transaction and goes through here:

1. ``lock_case`` takes ``SELECT … FOR UPDATE`` on the case row first (always
   the case first, then its item cases, so two services never wait on each
   other in opposite orders), re-reads the state under the lock;
2. ``case_move`` / ``item_move`` ask the core state machines whether the
   transition is allowed, apply it, bump the case version and append the
   audit event;
3. ``start_ready_items`` and ``finish_if_complete`` apply the core's
   dispatch and completion decisions.

Because the decision "which items start now" is taken under the case lock on
freshly read item states, two reviewers approving the last two items of a
stage at the same moment start the next stage exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import can_see_case
from lianban.cases.audit import chain_head_columns, chain_head_remember
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState, NotificationKind
from lianban.cases.notifications import notification_create
from lianban.common import generations
from lianban.core import case_flow as flow
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered

#: Case columns no transition reads: left out of the locked read (loaded on access, should anyone need them).
CASE_UNREAD = ("plan", "form", "answers")

#: The locking reads, built once and filtered per call (``filter`` clones a query, never changes it).
_CASES_LOCKED = Case.objects.select_for_update(of=("self",)).defer(*CASE_UNREAD)
#: Item cases are locked after their case: the read also brings the head of the case's audit chain, so
#: the events the transaction appends are linked without reading the chain (``audit.chain_head_remember``).
_ITEM_CASES_LOCKED = ItemCase.objects.select_for_update(of=("self",)).annotate(**chain_head_columns())


def case_generation(code: str) -> str:
    """The cache generation of what is derived from a case (renewed by every transaction that locks it)."""
    return f"case:{code}"


def lock_case(case_id: int) -> Case:
    """The case row, locked until the end of the transaction (``Case.DoesNotExist`` if absent).

    ``FOR UPDATE OF`` the case row alone (a join would lock the joined rows
    too on PostgreSQL); the frozen plan, form and answers are not read.
    Whatever the transaction changes, caches derived from the case are
    renewed when it commits (``generations``: the public tracking answer).
    """
    case = _CASES_LOCKED.get(pk=case_id)
    generations.renew_on_commit(case_generation(case.tracking_code))
    return case


def lock_case_of_item(item_case_id: int) -> Case:
    """``lock_case`` for the case of an item case, found in the same read (``Case.DoesNotExist`` if absent)."""
    case = _CASES_LOCKED.get(item_cases__id=item_case_id)
    generations.renew_on_commit(case_generation(case.tracking_code))
    return case


def lock_case_for_user(user: User, case_id: int) -> Case:
    """``lock_case`` for a case ``user`` may see, or ``Http404``.

    The read rule is ``access.can_see_case``, applied to the locked row: one
    read instead of an access check followed by the lock. A case the user may
    not see is locked only until the 404 ends the transaction.
    """
    try:
        case = lock_case(case_id)
    except Case.DoesNotExist:
        raise Http404 from None
    if not can_see_case(user, case):
        raise Http404
    return case


def lock_item_cases(case: Case) -> list[ItemCase]:
    """The case's item cases, locked, in plan order (call after ``lock_case``)."""
    items = list(_ITEM_CASES_LOCKED.filter(case=case).order_by("position"))
    for item in items:
        item.case = case  # already locked and read: no second read through the relation
    if items:
        chain_head_remember(case.pk, items[0].chain_seq, items[0].chain_hash)  # type: ignore[attr-defined]
    return items


def lock_item_case(case: Case, item_case_id: int) -> ItemCase:
    """One item case of ``case``, locked (call after ``lock_case``; ``ItemCase.DoesNotExist`` if absent)."""
    item = _ITEM_CASES_LOCKED.get(pk=item_case_id, case=case)
    item.case = case
    chain_head_remember(case.pk, item.chain_seq, item.chain_hash)  # type: ignore[attr-defined]
    return item


def case_move(
    case: Case,
    event: str,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Apply a case transition allowed by ``CaseMachine``, set ``fields``, record the event.

    Raises:
        TransitionRefused: the state machine does not allow ``event`` now.
    """
    before_state = case.state
    new_state = flow.next_case_state(case.state, event)
    case.state = new_state.value
    changed = ["state", "version", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(case, name, value)
        changed.append(name)
    case.version += 1
    case.updated_at = clock.now()
    case.save(update_fields=changed)
    event_record(
        case=case,
        actor=actor,
        action=action,
        before={"state": before_state},
        after={"state": case.state, **(after or {})},
        reason=reason,
    )


def case_touch(case: Case) -> None:
    """Bump the case version after a change that is not a state transition."""
    case.version += 1
    case.updated_at = clock.now()
    case.save(update_fields=["version", "updated_at"])


def item_move(
    case: Case,
    item: ItemCase,
    event: str,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Apply an item-case transition allowed by ``ItemCaseMachine``, set ``fields``, record the event.

    Raises:
        TransitionRefused: not allowed now (including approving a 容缺-held item).
    """
    before_state = item.state
    new_state = flow.next_item_state(item.state, event, held=item.held)
    item.state = new_state.value
    changed = ["state"]
    for name, value in (fields or {}).items():
        setattr(item, name, value)
        changed.append(name)
    item.save(update_fields=changed)
    event_record(
        case=case,
        item_case=item,
        actor=actor,
        action=action,
        before={"state": before_state},
        after={"state": item.state, **(after or {})},
        reason=reason,
    )


def item_view(item: ItemCase) -> flow.ItemView:
    """The core's view of an item case."""
    return flow.ItemView(
        code=item.item_code,
        state=flow.ItemState(item.state),
        after=tuple(item.after),
        promised_days=item.promised_days,
        started_on=item.started_on,
        due_on=item.due_on,
        paused_since=item.paused_since,
        finished_on=item.finished_on,
    )


def held_item_codes(case: Case) -> frozenset[str]:
    """Items held back by 容缺 promises not yet kept."""
    promised = CaseMaterial.objects.filter(case=case, state=MaterialState.PROMISED).order_by()
    outstanding = {m.code: m.needed_by for m in promised}
    return flow.items_held(outstanding)


def refresh_held(
    case: Case,
    items: Sequence[ItemCase],
    *,
    actor: User | None,
    outstanding: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Set or release the 容缺 hold of each open item case, recording releases.

    ``outstanding`` (promised material code → items needing it) spares the
    read of the promised materials when the caller has them at hand.
    """
    held = flow.items_held(outstanding) if outstanding is not None else held_item_codes(case)
    for item in items:
        should = item.item_code in held and item.state not in flow.FINAL_ITEM_STATES
        if item.held == should:
            continue
        item.held = should
        item.save(update_fields=["held"])
        event_record(
            case=case,
            item_case=item,
            actor=actor,
            action="item.held" if should else "item.released",
            before={"held": not should},
            after={"held": should},
        )


def start_ready_items(
    case: Case, items: Sequence[ItemCase], *, actor: User | None, calendar: Calendar | None = None
) -> list[ItemCase]:
    """Dispatch every waiting item whose predecessors are all approved (core decision).

    A due date counted through a year with only a provisional calendar is
    marked ``due_provisional`` (预计). An item whose due date falls in a year
    the calendar does not cover at all is dispatched all the same, with no
    due date and the status ``UNKNOWN`` (an ``item.due_unknown`` event says
    which year); the deadline sweep fills the date in once the year is entered.
    """
    ready = set(flow.items_to_start([item_view(i) for i in items]))
    started: list[ItemCase] = []
    if not ready:
        return started
    calendar = calendar or clock.calendar()
    moment = clock.now()
    today = clock.local_date(moment)
    for item in items:
        if item.item_code not in ready:
            continue
        due, status, missing = _due_on_dispatch(calendar, today, item.promised_days)
        provisional = due is not None and calendar.provisional_between(today, due)
        item_move(
            case,
            item,
            "dispatch",
            actor=actor,
            action="item.dispatched",
            fields={
                "dispatched_at": moment,
                "started_on": today,
                "due_on": due,
                "due_status": status.value,
                "due_year_missing": missing,
                "due_provisional": provisional,
            },
            after={"due_on": due.isoformat() if due else None, **({"provisional": True} if provisional else {})},
        )
        if missing is not None:
            due_unknown_record(case, item, year=missing)
        started.append(item)
    return started


def _due_on_dispatch(calendar: Calendar, today: date, days: int) -> tuple[date | None, flow.DueStatus, int | None]:
    """Due date, status and the missing calendar year (None when the calendar covers it)."""
    try:
        due = flow.due_date(calendar, today, days)
        return due, flow.deadline_status(calendar, due, today, settings.LIANBAN_DUE_SOON_DAYS), None
    except CalendarNotCovered as exc:
        return None, flow.DueStatus.UNKNOWN, exc.year


def due_unknown_note(year: int | None) -> str:
    """Why a due date is unknown, in words."""
    if year is None:
        return _("unknown: calendar year not entered")
    return _("unknown: calendar year %(year)d not entered") % {"year": year}


def due_unknown_record(case: Case, item: ItemCase, *, year: int) -> None:
    """The trail says why the item has no due date (a system event)."""
    event_record(
        case=case,
        item_case=item,
        actor=None,
        action="item.due_unknown",
        after={"due_status": flow.DueStatus.UNKNOWN.value, "year": year},
        reason=due_unknown_note(year),
    )


def eta_refresh(case: Case, items: Sequence[ItemCase], *, calendar: Calendar | None = None) -> date | None:
    """Recompute and store what the case's items sum up to: its ETA (critical path over what remains; none
    once the case is closed), whether the ETA is provisional (预计: counted through a provisional calendar
    year, or an item's due date is provisional) and whether a running item is overdue (``has_overdue_items``).

    Every write that changes an item case (dispatch, review, supplement, finish, cancel, the deadline sweep)
    ends here with all the case's items, under the case's lock.
    """
    value: date | None = None
    provisional = False
    if case.state not in (flow.CaseState.ISSUED, flow.CaseState.REFUSED, flow.CaseState.WITHDRAWN):
        calendar = calendar or clock.calendar()
        today = clock.today()
        try:
            value = flow.eta(calendar, [item_view(i) for i in items], today)
        except CalendarNotCovered:
            value = None
        if value is not None:
            running = (i for i in items if i.state in flow.RUNNING_ITEM_STATES)
            provisional = calendar.provisional_between(today, value) or any(i.due_provisional for i in running)
    late = any(i.state in flow.RUNNING_ITEM_STATES and i.due_status == flow.DueStatus.OVERDUE for i in items)
    changed: list[str] = []
    if late != case.has_overdue_items:
        case.has_overdue_items = late
        changed.append("has_overdue_items")
    if value != case.eta or provisional != case.eta_provisional:
        case.eta = value
        case.eta_provisional = provisional
        case.version += 1  # the public tracking answer is cached by version (see selectors.track_stamp)
        changed += ["eta", "eta_provisional", "version"]
    if changed:
        case.save(update_fields=changed)
    return value


def finish_if_complete(case: Case, items: Sequence[ItemCase], *, actor: User | None) -> bool:
    """When nothing is open, make the case READY with its outcome and its bill. True when it did."""
    if case.state != flow.CaseState.IN_PROGRESS or not flow.is_complete([item_view(i) for i in items]):
        return False
    result = flow.outcome([item_view(i) for i in items])
    case_move(
        case,
        "complete",
        actor=actor,
        action="case.ready",
        fields={"outcome": result.value, "ready_at": clock.now()},
        after={"outcome": result.value},
    )
    from lianban.issuance.services import bill_create_for_case

    bill = bill_create_for_case(case=case, items=items)
    notification_create(
        case=case,
        kind=NotificationKind.READY,
        message=_("Case %(code)s is ready: all results can be collected together. Amount due: %(total)s yuan.")
        % {"code": case.code_for_people, "total": bill.total},
    )
    return True


def after_item_finished(case: Case, items: Sequence[ItemCase], *, actor: User | None) -> None:
    """After an approval or rejection: start what can start, complete the case, refresh the ETA.

    Holds are refreshed only while some item is held: after acceptance a hold
    is only ever released (by the promised upload), never created.
    """
    calendar = clock.calendar()
    start_ready_items(case, items, actor=None, calendar=calendar)
    if any(item.held for item in items):
        refresh_held(case, items, actor=None)
    finish_if_complete(case, items, actor=actor)
    eta_refresh(case, items, calendar=calendar)
