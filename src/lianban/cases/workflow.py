"""The case engine's shell: locking, transitions with their events, dispatch, completion.

Every public service of cases, intake, review and issuance runs inside one
transaction and goes through here:

1. ``lock_case`` takes ``SELECT … FOR UPDATE`` on the case row first (always
   the case first, then its item cases, so two services never wait on each
   other in opposite orders), re-reads the state under the lock;
2. ``case_move`` / ``item_move`` ask the core's transition tables whether the
   transition is allowed, apply it, bump the case version and append the
   audit event;
3. ``after_acceptance``, ``after_item_finished`` and ``after_withdrawal``
   hand a snapshot of the case to the core's decision for that event
   (``core.case_flow.sequencing``) and apply the commands it returns
   (dispatch, cancel, hold, complete, ETA) with ``apply_commands``: the
   shell writes, the core decides.

Because the decision "which items start now" is taken under the case lock on
freshly read item states, two reviewers approving the last two items of a
stage at the same moment start the next stage exactly once. The engine does
not reach up into issuance: ``after_item_finished`` says whether the case
completed and review, its caller, has issuance open the bill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import can_see_case
from lianban.cases.audit import chain_head_columns, chain_head_remember
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState
from lianban.common import generations
from lianban.common.prepared import PreparedQuery, save_fields
from lianban.core import case_flow as flow
from lianban.core.case_flow import Calendar

_FINAL_CASE_STATES = frozenset(state.value for state in flow.FINAL_CASE_STATES)

#: Case columns no transition reads: left out of the locked read (loaded on access, should anyone need them).
CASE_UNREAD = ("plan", "form", "answers")

#: The locking reads, built once and filtered per call (``filter`` clones a query, never changes it).
_CASES_LOCKED = Case.objects.select_for_update(of=("self",)).defer(*CASE_UNREAD)
#: Item cases are locked after their case: the read also brings the head of the case's audit chain, so
#: the events the transaction appends are linked without reading the chain (``audit.chain_head_remember``).
_ITEM_CASES_LOCKED = ItemCase.objects.select_for_update(of=("self",)).annotate(**chain_head_columns())

#: The same reads with their SQL built once (``common.prepared``): these run in every service call.
_CASE_LOCKED = PreparedQuery(lambda case_id: _CASES_LOCKED.filter(pk=case_id)[:1], case_id=int)
_CASE_OF_ITEM_LOCKED = PreparedQuery(
    lambda item_case_id: _CASES_LOCKED.filter(item_cases__id=item_case_id)[:1], item_case_id=int
)
_ITEM_CASES_OF_CASE_LOCKED = PreparedQuery(
    lambda case_id: _ITEM_CASES_LOCKED.filter(case_id=case_id).order_by("position"), case_id=int
)
_ITEM_CASE_LOCKED = PreparedQuery(
    lambda item_case_id, case_id: _ITEM_CASES_LOCKED.filter(pk=item_case_id, case_id=case_id)[:1],
    item_case_id=int,
    case_id=int,
)


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
    case = _CASE_LOCKED.get(case_id=case_id)
    generations.renew_on_commit(case_generation(case.tracking_code))
    return case


def lock_case_of_item(item_case_id: int) -> Case:
    """``lock_case`` for the case of an item case, found in the same read (``Case.DoesNotExist`` if absent)."""
    case = _CASE_OF_ITEM_LOCKED.get(item_case_id=item_case_id)
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
    items = _ITEM_CASES_OF_CASE_LOCKED.all(case_id=case.pk)
    for item in items:
        item.case = case  # already locked and read: no second read through the relation
    if items:
        chain_head_remember(case.pk, items[0].chain_seq, items[0].chain_hash)  # type: ignore[attr-defined]
    return items


def lock_item_case(case: Case, item_case_id: int) -> ItemCase:
    """One item case of ``case``, locked (call after ``lock_case``; ``ItemCase.DoesNotExist`` if absent)."""
    item = _ITEM_CASE_LOCKED.get(item_case_id=item_case_id, case_id=case.pk)
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
    """Apply a case transition allowed by ``flow.CASE_TRANSITIONS``, set ``fields``, record the event.

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
    save_fields(case, changed + sweep_due(case))
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
    save_fields(case, ["version", "updated_at", *sweep_due(case)])


def sweep_due(case: Case) -> list[str]:
    """Have the deadline sweep look at an open case today (``Case.sweep_on``); the field to save, if it changed.

    Called by every write that may make or move a promise (``case_move``, ``case_touch``, ``_store_eta``),
    its column added to the UPDATE the write makes anyway. A case already due keeps its date.
    """
    if case.state in _FINAL_CASE_STATES:
        return []
    today = clock.today()
    if case.sweep_on is not None and case.sweep_on <= today:
        return []
    case.sweep_on = today
    return ["sweep_on"]


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
    """Apply an item-case transition allowed by ``flow.ITEM_TRANSITIONS``, set ``fields``, record the event.

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
    save_fields(item, changed)
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
        held=item.held,
        due_status=flow.DueStatus(item.due_status) if item.due_status else None,
        due_provisional=item.due_provisional,
    )


def case_snapshot(
    case: Case, items: Sequence[ItemCase], *, outstanding: Mapping[str, Sequence[str]] | None = None
) -> flow.CaseSnapshot:
    """The core's view of a case and its item cases (read under the case's lock)."""
    return flow.CaseSnapshot(
        state=flow.CaseState(case.state),
        items=tuple(item_view(i) for i in items),
        outstanding=None if outstanding is None else {code: tuple(needed) for code, needed in outstanding.items()},
    )


def promised_outstanding(case: Case) -> dict[str, list[str]]:
    """Promised (容缺) material code → the items needing it, for every promise not yet kept (one read)."""
    promised = CaseMaterial.objects.filter(case=case, state=MaterialState.PROMISED).order_by()
    return {m.code: m.needed_by for m in promised}


# ------------------------------------------------------- the core's decisions


def after_acceptance(
    case: Case, *, actor: User | None, outstanding: Mapping[str, Sequence[str]] | None = None
) -> list[ItemCase]:
    """After acceptance (by the clerk or deemed): apply the core's decision; the case's item cases, locked.

    ``outstanding`` (promised material code → items needing it) spares the
    read of the promised materials when the caller has them at hand.
    """
    items = lock_item_cases(case)
    calendar = clock.calendar()
    if outstanding is None:
        outstanding = promised_outstanding(case)
    decision = flow.after_acceptance(
        case_snapshot(case, items, outstanding=outstanding),
        calendar,
        clock.today(),
        due_soon_days=settings.LIANBAN_DUE_SOON_DAYS,
    )
    apply_commands(case, items, decision, actor=actor, follow_actor=actor)
    return items


def after_item_finished(case: Case, items: Sequence[ItemCase], *, actor: User | None, finished: ItemCase) -> bool:
    """After an approval or rejection of ``finished``: apply the core's decision. True when the case completed.

    The promised materials are read only when the decision needs them (some
    item still held once the rejection's cancellations are counted). The
    caller creates what follows a completed case (its bill).
    """
    snapshot = case_snapshot(case, items)
    if flow.holds_may_change(flow.after_cancellations(snapshot, finished.item_code).items):
        snapshot = case_snapshot(case, items, outstanding=promised_outstanding(case))
    decision = flow.after_item_finished(
        snapshot,
        clock.calendar(),
        clock.today(),
        finished=finished.item_code,
        due_soon_days=settings.LIANBAN_DUE_SOON_DAYS,
    )
    return apply_commands(case, items, decision, actor=actor, follow_actor=None)


def after_withdrawal(case: Case, items: Sequence[ItemCase], *, actor: User | None) -> None:
    """After a withdrawal: apply the core's decision (every open item cancelled, no ETA)."""
    decision = flow.after_withdrawal(case_snapshot(case, items), clock.today())
    apply_commands(case, items, decision, actor=actor, follow_actor=actor)


def refresh_held(case: Case, items: Sequence[ItemCase], *, actor: User | None) -> None:
    """Set or release the 容缺 hold of each open item case (after a promised upload), recording releases."""
    changes = flow.hold_changes([item_view(i) for i in items], promised_outstanding(case))
    apply_commands(case, items, changes, actor=actor, follow_actor=actor)


def eta_refresh(case: Case, items: Sequence[ItemCase], *, calendar: Calendar | None = None) -> date | None:
    """Recompute and store what the case's items sum up to (``flow.case_eta``): its ETA, whether it is
    provisional and whether a running item is overdue (``has_overdue_items``). Returns the ETA.

    Every write that changes an item case (dispatch, review, supplement, finish, cancel, the deadline sweep)
    ends here with all the case's items, under the case's lock.
    """
    state = flow.CaseState(case.state)
    if calendar is None and state not in flow.FINAL_CASE_STATES:  # a closed case's ETA reads no calendar
        calendar = clock.calendar()
    command = flow.case_eta(state, [item_view(i) for i in items], calendar, clock.today())
    _store_eta(case, command)
    return command.eta


# ------------------------------------------------------------------- the shell


def apply_commands(
    case: Case,
    items: Sequence[ItemCase],
    commands: Iterable[flow.Command],
    *,
    actor: User | None,
    follow_actor: User | None,
) -> bool:
    """Write the core's commands in order, with their audit events. True when the case completed.

    ``actor`` completes the case; ``follow_actor`` is recorded on what follows
    from the event (dispatches, holds, cancellations): the event's own actor
    after acceptance or withdrawal, the system (None) after a review decision.
    """
    by_code = {item.item_code: item for item in items}
    moment = clock.now()
    completed = False
    for command in commands:
        match command:
            case flow.DispatchItem():
                _dispatch(case, by_code[command.code], command, actor=follow_actor, moment=moment)
            case flow.CancelItem():
                _cancel(case, by_code, command, actor=follow_actor, moment=moment)
            case flow.SetHeld():
                _set_held(case, by_code[command.code], command.held, actor=follow_actor)
            case flow.CompleteCase():
                case_move(
                    case,
                    "complete",
                    actor=actor,
                    action="case.ready",
                    fields={"outcome": command.outcome.value, "ready_at": clock.now()},
                    after={"outcome": command.outcome.value},
                )
                completed = True
            case flow.SetEta():
                _store_eta(case, command)
    return completed


def _dispatch(case: Case, item: ItemCase, command: flow.DispatchItem, *, actor: User | None, moment: datetime) -> None:
    """Dispatch an item, due as the core counted (``due_provisional``: 预计; no date: ``item.due_unknown``)."""
    due = command.due_on
    item_move(
        case,
        item,
        "dispatch",
        actor=actor,
        action="item.dispatched",
        fields={
            "dispatched_at": moment,
            "started_on": command.started_on,
            "due_on": due,
            "due_status": command.due_status.value,
            "due_year_missing": command.due_year_missing,
            "due_provisional": command.due_provisional,
        },
        after={
            "due_on": due.isoformat() if due else None,
            **({"provisional": True} if command.due_provisional else {}),
        },
    )
    if command.due_year_missing is not None:
        due_unknown_record(case, item, year=command.due_year_missing)


def _cancel(
    case: Case, by_code: Mapping[str, ItemCase], command: flow.CancelItem, *, actor: User | None, moment: datetime
) -> None:
    """Cancel an open item: because an item it depends on was rejected (by the system), or the case was withdrawn."""
    item = by_code[command.code]
    finished_on = clock.local_date(moment)
    if command.because_of is None:
        item_move(
            case,
            item,
            "cancel",
            actor=actor,
            action="item.cancelled",
            reason=_("the application was withdrawn"),
            fields={"finished_at": moment, "finished_on": finished_on, "held": False, "due_status": ""},
        )
        return
    rejected = by_code[command.because_of]
    because = _("%(item)s was rejected: %(reason)s") % {"item": rejected.item_name, "reason": rejected.reason}
    item_move(
        case,
        item,
        "cancel",
        actor=None,
        action="item.cancelled",
        reason=because,
        fields={
            "finished_at": moment,
            "finished_on": finished_on,
            "due_status": "",
            "held": False,
            "paused_since": None,
            "reason": because,
        },
        after={"because_of": command.because_of},
    )


def _set_held(case: Case, item: ItemCase, held: bool, *, actor: User | None) -> None:
    item.held = held
    save_fields(item, ["held"])
    event_record(
        case=case,
        item_case=item,
        actor=actor,
        action="item.held" if held else "item.released",
        before={"held": not held},
        after={"held": held},
    )


def _store_eta(case: Case, command: flow.SetEta) -> None:
    """Store the ETA and the overdue flag where they changed (a new ETA bumps the version the tracking
    answer is cached by, see ``selectors.track_stamp``)."""
    changed: list[str] = []
    if command.overdue != case.has_overdue_items:
        case.has_overdue_items = command.overdue
        changed.append("has_overdue_items")
    if command.eta != case.eta or command.provisional != case.eta_provisional:
        case.eta = command.eta
        case.eta_provisional = command.provisional
        case.version += 1
        changed += ["eta", "eta_provisional", "version"]
    changed += sweep_due(case)
    if changed:
        save_fields(case, changed)


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
