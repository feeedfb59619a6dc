"""The case engine's pure rules: state machines and decisions.

Two state machines, written with ``python-statemachine`` (a small, typed,
well-kept library with no dependencies): :class:`CaseMachine` for a
one-thing case (一件事办件) and :class:`ItemCaseMachine` for the part of it one
department decides (an item case). They are the single source of truth for
which transition is allowed from which state; the Django models mirror their
state values and a test asserts that the two agree.

Besides the machines, the decisions the shell asks for, all on plain values:

* which items start (on acceptance, and after an approval),
* which items a rejection cancels (transitively),
* which items a 容缺 promise holds back,
* whether intake may accept, and what a correction notice lists,
* when a case is complete and its outcome,
* due dates, deadline status and the ETA over what remains.

No Django, no clock (``today`` is passed in), no I/O. Working days come from a
calendar object passed in (see :class:`Calendar`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, Protocol

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from lianban.core.case_errors import TransitionRefused
from lianban.core.text import tx

# ------------------------------------------------------------------- states


class CaseState(StrEnum):
    """States of a one-thing case."""

    SUBMITTED = "SUBMITTED"
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"
    RESUBMITTED = "RESUBMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    READY = "READY"
    ISSUED = "ISSUED"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"


class CaseOutcome(StrEnum):
    """How a case ended."""

    APPROVED = "APPROVED"
    PARTLY_APPROVED = "PARTLY_APPROVED"
    REJECTED = "REJECTED"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"


class ItemState(StrEnum):
    """States of an item case (one department's part of a case)."""

    WAITING = "WAITING"
    DISPATCHED = "DISPATCHED"
    IN_REVIEW = "IN_REVIEW"
    SUPPLEMENT = "SUPPLEMENT"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class DueStatus(StrEnum):
    """Deadline status of a running item case.

    ``UNKNOWN``: the due date falls in (or its count runs through) a year the
    working-day calendar does not cover; it is not guessed, and is filled in
    once the year is entered.
    """

    ON_TIME = "ON_TIME"
    DUE_SOON = "DUE_SOON"
    OVERDUE = "OVERDUE"
    UNKNOWN = "UNKNOWN"


class CheckResult(StrEnum):
    """The clerk's verdict on one material at intake."""

    OK = "OK"
    MISSING = "MISSING"
    WRONG = "WRONG"


#: Item states in which the department still has work to do (the clock may run).
RUNNING_ITEM_STATES = frozenset({ItemState.DISPATCHED, ItemState.IN_REVIEW, ItemState.SUPPLEMENT})
#: Item states that are final.
FINAL_ITEM_STATES = frozenset({ItemState.APPROVED, ItemState.REJECTED, ItemState.CANCELLED})
#: Case states before the intake decision.
BEFORE_ACCEPTANCE = frozenset({CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED, CaseState.RESUBMITTED})
#: Case states that are final.
FINAL_CASE_STATES = frozenset({CaseState.ISSUED, CaseState.REFUSED, CaseState.WITHDRAWN})

# ---------------------------------------------------------- state machines


class CaseMachine(StateMachine):
    """Lifecycle of a one-thing case.

    Intake decides a submitted case: a correction notice (一次性告知) sends it
    back to the applicant, who resubmits; acceptance (by the clerk, or deemed
    by law after the deadline) starts the work; refusal (不予受理) ends it.
    When no item is open the case is ready and the clerk issues every result
    at once (统一出件). The applicant may withdraw any time before issuance.
    """

    submitted = State(initial=True, value=CaseState.SUBMITTED.value)
    correction_requested = State(value=CaseState.CORRECTION_REQUESTED.value)
    resubmitted = State(value=CaseState.RESUBMITTED.value)
    in_progress = State(value=CaseState.IN_PROGRESS.value)
    ready = State(value=CaseState.READY.value)
    issued = State(final=True, value=CaseState.ISSUED.value)
    refused = State(final=True, value=CaseState.REFUSED.value)
    withdrawn = State(final=True, value=CaseState.WITHDRAWN.value)

    request_correction = submitted.to(correction_requested) | resubmitted.to(correction_requested)
    resubmit = correction_requested.to(resubmitted)
    accept = submitted.to(in_progress) | resubmitted.to(in_progress)
    deem_accepted = submitted.to(in_progress) | resubmitted.to(in_progress)
    refuse = submitted.to(refused) | resubmitted.to(refused)
    complete = in_progress.to(ready)
    issue = ready.to(issued)
    withdraw = (
        submitted.to(withdrawn)
        | correction_requested.to(withdrawn)
        | resubmitted.to(withdrawn)
        | in_progress.to(withdrawn)
        | ready.to(withdrawn)
    )


class ItemCaseMachine(StateMachine):
    """Lifecycle of an item case, decided by one department.

    An item waits until every item it comes after is approved, is then
    dispatched to its department, which takes it into review. Review may ask
    for a supplement (补正: the clock stops until the applicant supplies it),
    approve (never while a 容缺 promise holds it back) or reject. Open item
    cases are cancelled when an item they depend on is rejected or the case
    is withdrawn.
    """

    waiting = State(initial=True, value=ItemState.WAITING.value)
    dispatched = State(value=ItemState.DISPATCHED.value)
    in_review = State(value=ItemState.IN_REVIEW.value)
    supplement = State(value=ItemState.SUPPLEMENT.value)
    approved = State(final=True, value=ItemState.APPROVED.value)
    rejected = State(final=True, value=ItemState.REJECTED.value)
    cancelled = State(final=True, value=ItemState.CANCELLED.value)

    dispatch = waiting.to(dispatched)
    take = dispatched.to(in_review)
    request_supplement = in_review.to(supplement)
    supply = supplement.to(in_review)
    approve = in_review.to(approved, cond="is_released")
    reject = in_review.to(rejected) | supplement.to(rejected)
    cancel = waiting.to(cancelled) | dispatched.to(cancelled) | in_review.to(cancelled) | supplement.to(cancelled)

    def is_released(self, held: bool = False) -> bool:
        """Guard of ``approve``: a 容缺-held item cannot be approved."""
        return not held


@dataclass(frozen=True, slots=True)
class _Table:
    """A machine's definition, read once: its states, its events, and the unguarded transitions."""

    states: frozenset[str]
    events: frozenset[str]
    sources: frozenset[tuple[str, str]]  # every (source, event) with a transition
    plain: Mapping[tuple[str, str], str]  # (source, event) → target, when no guard or validator decides


@cache
def _table(machine_class: type[StateMachine]) -> _Table:
    plain: dict[tuple[str, str], str] = {}
    guarded: set[tuple[str, str]] = set()
    for state in machine_class.states:
        for transition in state.transitions:
            decided = bool(list(transition.cond)) or bool(list(transition.validators))
            for event in transition.events:
                key = (str(transition.source.value), str(event))
                if decided or key in plain or key in guarded:
                    guarded.add(key)
                    plain.pop(key, None)
                else:
                    plain[key] = str(transition.target.value)
    sources = frozenset(plain) | frozenset(guarded)
    return _Table(
        states=frozenset(str(s.value) for s in machine_class.states),
        events=frozenset(event for _source, event in sources),
        sources=sources,
        plain=plain,
    )


def _run(machine_class: type[StateMachine], kind: str, state: str, event: str, **kwargs: Any) -> str:
    table = _table(machine_class)
    if state in table.states:
        # The machine's own answer, read from its definition: instantiating it
        # for every transition costs more than the rest of a transition.
        if event not in table.events:
            raise TransitionRefused(kind, state, event, tx("unknown event"))
        if (state, event) not in table.sources:
            raise TransitionRefused(kind, state, event, tx("held by a 容缺 promise") if kwargs.get("held") else "")
        target = table.plain.get((state, event))
        if target is not None:
            return target
    # a guard decides (or a state the machine does not know): the machine runs, once per question
    target = _guarded(machine_class, state, event, tuple(sorted(kwargs.items())))
    if target is None:
        raise TransitionRefused(kind, state, event, tx("unknown event"))
    if target is _REFUSED:
        raise TransitionRefused(kind, state, event, tx("held by a 容缺 promise") if kwargs.get("held") else "")
    return target


_REFUSED = "\x00refused"


@cache
def _guarded(
    machine_class: type[StateMachine], state: str, event: str, arguments: tuple[tuple[str, Any], ...]
) -> str | None:
    """The machine's own answer for a guarded transition: the target, ``_REFUSED``, or None (unknown event).

    Remembered: the machines' guards decide from the event's arguments alone
    (no model, no clock), so the same question always gets the same answer,
    and running the machine costs more than the rest of a transition.
    """
    machine = machine_class(start_value=state)
    if event not in {e.id for e in machine.events}:
        return None
    try:
        machine.send(event, **dict(arguments))
    except TransitionNotAllowed:
        return _REFUSED
    return str(machine.current_state_value)


def next_case_state(state: str, event: str) -> CaseState:
    """The case state after ``event``.

    Args:
        state: The current case state.
        event: One of the :class:`CaseMachine` events.

    Returns:
        The new state.

    Raises:
        TransitionRefused: The event is not allowed in ``state``.
    """
    return CaseState(_run(CaseMachine, "case", state, event))


def next_item_state(state: str, event: str, *, held: bool = False) -> ItemState:
    """The item case state after ``event``.

    Args:
        state: The current item case state.
        event: One of the :class:`ItemCaseMachine` events.
        held: Whether a 容缺 promise holds the item back (guards ``approve``).

    Returns:
        The new state.

    Raises:
        TransitionRefused: The event is not allowed in ``state`` (or the item is held).
    """
    return ItemState(_run(ItemCaseMachine, "item case", state, event, held=held))


def transitions(machine_class: type[StateMachine]) -> frozenset[tuple[str, str, str]]:
    """Every ``(source value, event, target value)`` of a machine, for docs and tests.

    Args:
        machine_class: :class:`CaseMachine` or :class:`ItemCaseMachine`.

    Returns:
        The transition table.
    """
    table: set[tuple[str, str, str]] = set()
    for state in machine_class.states:
        for transition in state.transitions:
            for event in transition.events:
                table.add((str(transition.source.value), str(event), str(transition.target.value)))
    return frozenset(table)


# ----------------------------------------------------------- item decisions


@dataclass(frozen=True, slots=True)
class ItemView:
    """What the decisions need to know about one item case.

    Attributes:
        code: The item code.
        state: The item case state.
        after: The item's direct predecessors in the frozen plan.
        promised_days: Committed time limit in working days.
        started_on: The day it was dispatched (None before).
        due_on: Its current due date (None before it is dispatched).
        paused_since: The day a supplement request stopped its clock (None when running).
        finished_on: The day it was approved, rejected or cancelled.
    """

    code: str
    state: ItemState
    after: tuple[str, ...] = ()
    promised_days: int = 0
    started_on: date | None = None
    due_on: date | None = None
    paused_since: date | None = None
    finished_on: date | None = None


def items_to_start(items: Sequence[ItemView]) -> tuple[str, ...]:
    """Waiting items whose predecessors are all approved, in the given order.

    Used on acceptance (items without predecessors start) and after every
    approval (items whose last predecessor was just approved start).

    Args:
        items: Every item case of the case.

    Returns:
        The codes of the items to dispatch now.
    """
    state = {item.code: item.state for item in items}
    return tuple(
        item.code
        for item in items
        if item.state is ItemState.WAITING and all(state.get(p) is ItemState.APPROVED for p in item.after)
    )


def dependents(items: Sequence[ItemView], code: str) -> tuple[str, ...]:
    """Every item that comes after ``code``, directly or transitively, in the given order.

    Args:
        items: Every item case of the case.
        code: The item whose dependents are wanted.

    Returns:
        The dependents' codes.
    """
    found: set[str] = set()
    frontier = [code]
    while frontier:
        current = frontier.pop()
        for item in items:
            if current in item.after and item.code not in found:
                found.add(item.code)
                frontier.append(item.code)
    return tuple(item.code for item in items if item.code in found)


def items_to_cancel(items: Sequence[ItemView], rejected: str) -> tuple[str, ...]:
    """The open items that a rejection of ``rejected`` cancels (its transitive dependents).

    Independent items go on; only what can no longer start is cancelled.

    Args:
        items: Every item case of the case.
        rejected: The code of the rejected item.

    Returns:
        The codes of the items to cancel.
    """
    state = {item.code: item.state for item in items}
    return tuple(code for code in dependents(items, rejected) if state[code] not in FINAL_ITEM_STATES)


def items_held(outstanding: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """The items held back by 容缺 promises not yet kept.

    Args:
        outstanding: Material code → the items that need it, for every
            tolerable material accepted against a promise and not yet supplied.

    Returns:
        The codes of the held items (only the items that need such a material).
    """
    return frozenset(code for needed_by in outstanding.values() for code in needed_by)


def is_complete(items: Sequence[ItemView]) -> bool:
    """Whether nothing is open: every item case is approved, rejected or cancelled.

    Args:
        items: Every item case of the case.

    Returns:
        True when the case is ready for issuance.
    """
    return all(item.state in FINAL_ITEM_STATES for item in items)


def outcome(items: Sequence[ItemView]) -> CaseOutcome:
    """The outcome of a complete case.

    Args:
        items: Every item case of the case, none open.

    Returns:
        APPROVED when every item was approved, REJECTED when none was,
        PARTLY_APPROVED otherwise.

    Raises:
        ValueError: Some item is still open.
    """
    if not is_complete(items):
        raise ValueError("the case still has open items")
    approved = sum(1 for item in items if item.state is ItemState.APPROVED)
    if items and approved == len(items):
        return CaseOutcome.APPROVED
    if approved == 0:
        return CaseOutcome.REJECTED
    return CaseOutcome.PARTLY_APPROVED


# ------------------------------------------------------------------ intake


@dataclass(frozen=True, slots=True)
class MaterialAtIntake:
    """One material of the case as the clerk sees it at intake.

    Attributes:
        code: The material code.
        provenance: ``submit``, ``licence`` or ``produced``.
        required: Whether some included item requires it.
        tolerable: Whether it may be missing at acceptance against a promise (容缺).
        check: The clerk's verdict in the current intake round (None: not checked).
        promised: Whether the applicant has promised in writing to supply it later.
    """

    code: str
    provenance: str
    required: bool
    tolerable: bool = False
    check: CheckResult | None = None
    promised: bool = False


def acceptance_problems(materials: Sequence[MaterialAtIntake]) -> tuple[tuple[str, str], ...]:
    """What stands in the way of accepting the case, per material.

    Only materials the applicant submits are checked: ``licence`` materials
    come from the library, ``produced`` ones from earlier items. A required
    material must be checked OK, except a tolerable one that is missing
    against a written promise (容缺). Optional materials never block.

    Args:
        materials: Every material of the case with the current round's checks.

    Returns:
        ``(material code, problem)`` pairs; empty when the case can be accepted.
    """
    problems: list[tuple[str, str]] = []
    for m in materials:
        if m.provenance != "submit" or not m.required or m.check is CheckResult.OK:
            continue
        if m.tolerable and m.promised and m.check in (None, CheckResult.MISSING):
            continue
        if m.check is None:
            problems.append((m.code, "not checked"))
        elif m.tolerable and m.check is CheckResult.MISSING:
            problems.append((m.code, "missing without a written promise"))
        else:
            problems.append((m.code, "missing" if m.check is CheckResult.MISSING else "wrong"))
    return tuple(problems)


def correction_items(materials: Sequence[MaterialAtIntake]) -> tuple[str, ...]:
    """The materials a correction notice lists: every one checked missing or wrong.

    Args:
        materials: Every material of the case with the current round's checks.

    Returns:
        The material codes, in the given order.
    """
    return tuple(m.code for m in materials if m.check in (CheckResult.MISSING, CheckResult.WRONG))


# ------------------------------------------------------------------- time


class Calendar(Protocol):
    """The working-day calendar the time rules need (see ``lianban.core.workdays``)."""

    def is_working_day(self, d: date, /) -> bool:
        """Whether ``d`` is a working day."""
        ...

    def add_working_days(self, start: date, days: int, /) -> date:
        """The day ``days`` working days after ``start`` (0: ``start`` or the next working day)."""
        ...

    def working_days_between(self, start: date, end: date, /) -> int:
        """Working days in ``(start, end]``; 0 when ``end <= start``."""
        ...

    def provisional_between(self, start: date, end: date, /) -> bool:
        """Whether a count from ``start`` to ``end`` runs through a provisional (预计) year."""
        ...


def due_date(calendar: Calendar, started_on: date, promised_days: int, paused_days: int = 0) -> date:
    """The due date of an item case: start + promised working days, shifted by pauses.

    Args:
        calendar: The working-day calendar.
        started_on: The day the item was dispatched.
        promised_days: Committed time limit in working days.
        paused_days: Working days its clock was stopped (补正).

    Returns:
        The due date.
    """
    return calendar.add_working_days(started_on, promised_days + paused_days)


def paused_working_days(calendar: Calendar, paused_since: date, resumed_on: date) -> int:
    """Working days an item's clock was stopped: after ``paused_since`` up to ``resumed_on``.

    Args:
        calendar: The working-day calendar.
        paused_since: The day the supplement was requested.
        resumed_on: The day the applicant supplied it.

    Returns:
        The number of working days to add to the due date.
    """
    return calendar.working_days_between(paused_since, resumed_on)


def effective_due(calendar: Calendar, item: ItemView, today: date) -> date | None:
    """The due date as it stands today; a paused item's moves on with every paused day.

    Args:
        calendar: The working-day calendar.
        item: The item case.
        today: The current date.

    Returns:
        The due date, or None when the item is not running.
    """
    if item.state not in RUNNING_ITEM_STATES or item.due_on is None:
        return None
    if item.state is ItemState.SUPPLEMENT and item.paused_since is not None:
        return calendar.add_working_days(item.due_on, paused_working_days(calendar, item.paused_since, today))
    return item.due_on


def deadline_status(calendar: Calendar, due_on: date, today: date, due_soon_days: int = 1) -> DueStatus:
    """On time, due soon or overdue.

    Args:
        calendar: The working-day calendar.
        due_on: The due date.
        today: The current date.
        due_soon_days: "Due soon" when this many working days or fewer are left.

    Returns:
        OVERDUE after the due date, DUE_SOON when at most ``due_soon_days``
        working days are left, ON_TIME otherwise.
    """
    if today > due_on:
        return DueStatus.OVERDUE
    if calendar.working_days_between(today, due_on) <= due_soon_days:
        return DueStatus.DUE_SOON
    return DueStatus.ON_TIME


def item_due_status(calendar: Calendar, item: ItemView, today: date, due_soon_days: int = 1) -> DueStatus | None:
    """The deadline status of an item case, or None when it is not running.

    A paused item (补正) keeps the status its remaining days give: its clock is
    stopped. A running item without a due date (its year is not in the
    calendar) is ``UNKNOWN``.

    Args:
        calendar: The working-day calendar.
        item: The item case.
        today: The current date.
        due_soon_days: Threshold of "due soon", in working days.

    Returns:
        The status, or None.
    """
    if item.state in RUNNING_ITEM_STATES and item.due_on is None:
        return DueStatus.UNKNOWN
    due = effective_due(calendar, item, today)
    if due is None:
        return None
    return deadline_status(calendar, due, today, due_soon_days)


def expected_finish(calendar: Calendar, items: Sequence[ItemView], today: date) -> dict[str, date]:
    """When each item is expected to finish: the critical path over what remains.

    Approved items finished when they did. A running item finishes on its
    (effective) due date, or today at the earliest when it is late. A waiting
    item starts when its last predecessor finishes (today at the earliest) and
    takes its promised days. Rejected and cancelled items, and waiting items
    that can no longer start, are left out.

    Args:
        calendar: The working-day calendar.
        items: Every item case of the case (the ordering must be acyclic).
        today: The current date.

    Returns:
        Item code → expected finish date, for the items that will finish.
    """
    by_code = {item.code: item for item in items}
    finish: dict[str, date | None] = {}
    earliest = calendar.add_working_days(today, 0)

    def visit(code: str) -> date | None:
        if code in finish:
            return finish[code]
        item = by_code[code]
        result: date | None
        if item.state is ItemState.APPROVED:
            result = item.finished_on or today
        elif item.state in (ItemState.REJECTED, ItemState.CANCELLED):
            result = None
        elif item.state in RUNNING_ITEM_STATES:
            due = effective_due(calendar, item, today)
            result = max(due, earliest) if due is not None else earliest
        else:
            starts: list[date] = [earliest]
            blocked = False
            for pred in item.after:
                if pred not in by_code:
                    continue
                done = visit(pred)
                if done is None:
                    blocked = True
                else:
                    starts.append(done)
            result = None if blocked else calendar.add_working_days(max(starts), item.promised_days)
        finish[code] = result
        return result

    for item in items:
        visit(item.code)
    return {code: day for code, day in finish.items() if day is not None}


def eta(calendar: Calendar, items: Sequence[ItemView], today: date) -> date | None:
    """The day the case is expected to be ready: the latest expected finish.

    Args:
        calendar: The working-day calendar.
        items: Every item case of the case.
        today: The current date.

    Returns:
        The ETA, or None when no item will finish (nothing to wait for) or
        when it is unknown: a running item has no due date (its year is not
        in the calendar), and the ETA is never guessed.
    """
    if any(item.state in RUNNING_ITEM_STATES and item.due_on is None for item in items):
        return None
    finishes = expected_finish(calendar, items, today)
    return max(finishes.values(), default=None)
