"""The engine's sequencing: one decision per event, returned as commands for the shell to apply.

After acceptance the first stage is dispatched and the items needing a
promised (容缺) material are held; after an item is finished (approved or
rejected) the rejected item's dependents are cancelled, what can start is
dispatched, kept promises release their holds, and the case completes when
nothing is open; after a withdrawal every open item is cancelled. Every
decision ends with the case's ETA over what the commands leave.

A decision reads a :class:`CaseSnapshot` (the case's state and its item
cases, read under the case's lock) and returns a tuple of frozen commands;
``lianban.cases.workflow`` applies them in order, with the same writes and
events as before, and knows nothing of the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from lianban.core.case_flow.deadlines import Calendar, deadline_status, due_date, eta, is_overdue
from lianban.core.case_flow.items import ItemView, is_complete, items_held, items_to_cancel, items_to_start, outcome
from lianban.core.case_flow.states import (
    FINAL_CASE_STATES,
    FINAL_ITEM_STATES,
    RUNNING_ITEM_STATES,
    CaseOutcome,
    CaseState,
    DueStatus,
    ItemState,
)
from lianban.core.errors import CalendarNotCovered


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """What the sequencing decisions read: the case's state and every item case, in plan order.

    Attributes:
        state: The case state (after the transition of the event being decided).
        items: Every item case of the case.
        outstanding: Promised (容缺) material code → the items needing it, for every
            promise not yet kept; None when not read (see :func:`holds_may_change`).
    """

    state: CaseState
    items: tuple[ItemView, ...]
    outstanding: Mapping[str, tuple[str, ...]] | None = None


# ------------------------------------------------------------------ commands


@dataclass(frozen=True, slots=True)
class DispatchItem:
    """Dispatch a waiting item to its department, started today, due on ``due_on``.

    ``due_on`` is None (status ``UNKNOWN``) when the count runs into ``due_year_missing``,
    a year the calendar does not cover; ``due_provisional`` when it runs through a provisional year.
    """

    code: str
    started_on: date
    due_on: date | None
    due_status: DueStatus
    due_year_missing: int | None = None
    due_provisional: bool = False


@dataclass(frozen=True, slots=True)
class CancelItem:
    """Cancel an open item: because ``because_of`` was rejected, or (None) because the case was withdrawn."""

    code: str
    because_of: str | None = None


@dataclass(frozen=True, slots=True)
class SetHeld:
    """Hold an open item back for a promised material (``held``), or release it."""

    code: str
    held: bool


@dataclass(frozen=True, slots=True)
class CompleteCase:
    """Nothing is open: the case is ready, with its outcome."""

    outcome: CaseOutcome


@dataclass(frozen=True, slots=True)
class SetEta:
    """What the case's items sum up to: the ETA, whether it is provisional, whether a running item is overdue."""

    eta: date | None
    provisional: bool
    overdue: bool


Command = DispatchItem | CancelItem | SetHeld | CompleteCase | SetEta


# ----------------------------------------------------------------- decisions


def after_acceptance(
    snapshot: CaseSnapshot, calendar: Calendar, today: date, *, due_soon_days: int = 1
) -> tuple[Command, ...]:
    """The case was accepted (by the clerk or deemed): dispatch the first stage, hold what a promise holds.

    Args:
        snapshot: The accepted case, with ``outstanding`` read (the promises just made).
        calendar: The working-day calendar.
        today: The current date.
        due_soon_days: Threshold of "due soon", in working days.

    Returns:
        The commands, in the order to apply them.
    """
    commands: list[Command] = [*_dispatches(snapshot, calendar, today, due_soon_days)]
    commands += _holds(_apply(snapshot, commands, today))
    return _with_eta(snapshot, commands, calendar, today)


def after_item_finished(
    snapshot: CaseSnapshot, calendar: Calendar, today: date, *, finished: str, due_soon_days: int = 1
) -> tuple[Command, ...]:
    """An item was approved or rejected: cancel, dispatch, release, complete, as the rules say.

    A rejection cancels the open items that depend on the rejected one
    (independent items go on); every waiting item whose predecessors are now
    all approved is dispatched; holds are refreshed when ``outstanding`` was
    read; the case completes when nothing is open.

    Args:
        snapshot: The case, with ``finished`` in its final state.
        calendar: The working-day calendar.
        today: The current date.
        finished: The code of the item just approved or rejected.
        due_soon_days: Threshold of "due soon", in working days.

    Returns:
        The commands, in the order to apply them.
    """
    commands: list[Command] = [*_cancellations(snapshot, finished)]
    commands += _dispatches(_apply(snapshot, commands, today), calendar, today, due_soon_days)
    commands += _holds(_apply(snapshot, commands, today))
    done = _apply(snapshot, commands, today)
    if done.state is CaseState.IN_PROGRESS and is_complete(done.items):
        commands.append(CompleteCase(outcome(done.items)))
    return _with_eta(snapshot, commands, calendar, today)


def after_withdrawal(snapshot: CaseSnapshot, today: date) -> tuple[Command, ...]:
    """The case was withdrawn: every open item is cancelled (and the case has no ETA any more).

    Args:
        snapshot: The withdrawn case (a closed case needs no calendar).
        today: The current date.

    Returns:
        The commands, in the order to apply them.
    """
    commands: list[Command] = [CancelItem(i.code) for i in snapshot.items if i.state not in FINAL_ITEM_STATES]
    return _with_eta(snapshot, commands, None, today)


def after_cancellations(snapshot: CaseSnapshot, finished: str, today: date | None = None) -> CaseSnapshot:
    """The case once a rejection of ``finished`` has cancelled its dependents (unchanged after an approval).

    The shell asks :func:`holds_may_change` of it to know whether to read the
    promised materials before :func:`after_item_finished`.
    """
    cancels = _cancellations(snapshot, finished)
    return _apply(snapshot, cancels, today) if cancels else snapshot


def holds_may_change(items: Iterable[ItemView]) -> bool:
    """Whether holds need refreshing after acceptance: only while some item is held.

    After acceptance a hold is only ever released (by the promised upload),
    never created, so the promised materials need not be read otherwise.
    """
    return any(item.held for item in items)


def hold_changes(items: Iterable[ItemView], outstanding: Mapping[str, Iterable[str]]) -> tuple[SetHeld, ...]:
    """Hold every open item needing a promised material not yet supplied; release the others."""
    held = items_held(outstanding)
    return tuple(
        SetHeld(item.code, should)
        for item in items
        if item.held != (should := item.code in held and item.state not in FINAL_ITEM_STATES)
    )


def case_eta(state: CaseState, items: Iterable[ItemView], calendar: Calendar | None, today: date) -> SetEta:
    """The ETA (critical path over what remains; none once the case is closed or when the calendar
    does not cover it), whether it is provisional (counted through a provisional year, or a running
    item's due date is provisional) and whether a running item is overdue.

    ``calendar`` may be None for a closed case only (it is not read then).
    """
    items = tuple(items)
    value: date | None = None
    provisional = False
    if state not in FINAL_CASE_STATES:
        if calendar is None:
            raise ValueError("an open case's ETA needs the calendar")
        try:
            value = eta(calendar, items, today)
        except CalendarNotCovered:
            value = None
        if value is not None:
            running = (i for i in items if i.state in RUNNING_ITEM_STATES)
            provisional = calendar.provisional_between(today, value) or any(i.due_provisional for i in running)
    return SetEta(value, provisional, any(is_overdue(i, today) for i in items))


def next_eta_on(state: CaseState, items: Iterable[ItemView], calendar: Calendar, today: date) -> date | None:
    """The first day after ``today`` on which ``case_eta`` may answer otherwise than today (None: not by itself).

    The ETA follows ``today`` while it is bound by it: a running item past its due date finishes "today at
    the earliest", a paused item's (补正) due date moves on with every working day, a waiting item starts
    today at the earliest. Such an ETA changes again on one of the days up to the working day after next
    working day, each of which is tried. Otherwise it changes only when an item's status or the case
    changes (the item's overdue day, which ``next_status_on`` gives, or a service), or on the first of
    January for a provisional ETA (the year counted through may be over).

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    if state in FINAL_CASE_STATES:
        return None
    items = tuple(items)
    now = case_eta(state, items, calendar, today)
    last = calendar.add_working_days(today, 1) + timedelta(days=1)
    day = today + timedelta(days=1)
    while day <= last:
        if case_eta(state, items, calendar, day) != now:
            return day
        day += timedelta(days=1)
    return date(today.year + 1, 1, 1) if now.provisional else None


# ------------------------------------------------------------------- helpers


def _cancellations(snapshot: CaseSnapshot, finished: str) -> list[CancelItem]:
    if not any(i.code == finished and i.state is ItemState.REJECTED for i in snapshot.items):
        return []
    return [CancelItem(code, because_of=finished) for code in items_to_cancel(snapshot.items, finished)]


def _dispatches(snapshot: CaseSnapshot, calendar: Calendar, today: date, due_soon_days: int) -> list[DispatchItem]:
    commands: list[DispatchItem] = []
    by_code = {item.code: item for item in snapshot.items}
    for code in items_to_start(snapshot.items):
        try:
            due = due_date(calendar, today, by_code[code].promised_days)
            status = deadline_status(calendar, due, today, due_soon_days)
        except CalendarNotCovered as exc:
            commands.append(DispatchItem(code, today, None, DueStatus.UNKNOWN, due_year_missing=exc.year))
            continue
        provisional = calendar.provisional_between(today, due)
        commands.append(DispatchItem(code, today, due, status, due_provisional=provisional))
    return commands


def _holds(snapshot: CaseSnapshot) -> list[SetHeld]:
    if snapshot.outstanding is None:
        return []
    return list(hold_changes(snapshot.items, snapshot.outstanding))


def _with_eta(
    snapshot: CaseSnapshot, commands: list[Command], calendar: Calendar | None, today: date
) -> tuple[Command, ...]:
    after = _apply(snapshot, commands, today)
    return (*commands, case_eta(after.state, after.items, calendar, today))


def apply(snapshot: CaseSnapshot, commands: Iterable[Command], today: date | None) -> CaseSnapshot:
    """The snapshot as it stands once ``commands`` are applied (what the shell writes, on plain values)."""
    return _apply(snapshot, commands, today)


def _apply(snapshot: CaseSnapshot, commands: Iterable[Command], today: date | None) -> CaseSnapshot:
    items = {item.code: item for item in snapshot.items}
    state = snapshot.state
    for command in commands:
        match command:
            case DispatchItem():
                items[command.code] = replace(
                    items[command.code],
                    state=ItemState.DISPATCHED,
                    started_on=command.started_on,
                    due_on=command.due_on,
                    due_status=command.due_status,
                    due_provisional=command.due_provisional,
                )
            case CancelItem():
                items[command.code] = replace(
                    items[command.code], state=ItemState.CANCELLED, finished_on=today, held=False, due_status=None
                )
            case SetHeld():
                items[command.code] = replace(items[command.code], held=command.held)
            case CompleteCase():
                state = CaseState.READY
            case SetEta():
                pass
    return replace(snapshot, state=state, items=tuple(items.values()))
