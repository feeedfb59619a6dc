"""The states of a case and of an item case, and the one table of each one's transitions.

A transition table is a plain ``dict[(state, event)] -> state``; the only
guard is the 容缺 hold on approving an item. ``next_case_state`` /
``next_item_state`` answer from the tables, ``allowed_events`` lists what a
state allows (the interfaces build their ``can_*`` flags from it), and the
Django models mirror the state values (a test asserts that the two agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from lianban.core.case_errors import TransitionRefused
from lianban.core.text import tx


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
#: Case states waiting for an intake decision (a correction notice waits for the applicant).
OPEN_FOR_INTAKE = frozenset({CaseState.SUBMITTED, CaseState.RESUBMITTED})
#: Case states that are final.
FINAL_CASE_STATES = frozenset({CaseState.ISSUED, CaseState.REFUSED, CaseState.WITHDRAWN})

# ------------------------------------------------------------ the two tables

_S, _C, _R, _P = CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED, CaseState.RESUBMITTED, CaseState.IN_PROGRESS
_RD = CaseState.READY

#: Lifecycle of a one-thing case: (state, event) → the state after it (a StrEnum state is its str).
#:
#: Intake decides a submitted case: a correction notice (一次性告知) sends it
#: back to the applicant, who resubmits; acceptance (by the clerk, or deemed
#: by law after the deadline) starts the work; refusal (不予受理) ends it.
#: When no item is open the case is ready and the clerk issues every result
#: at once (统一出件). The applicant may withdraw any time before issuance.
CASE_TRANSITIONS: Mapping[tuple[str, str], CaseState] = {
    (_S, "request_correction"): _C,
    (_R, "request_correction"): _C,
    (_C, "resubmit"): _R,
    (_S, "accept"): _P,
    (_R, "accept"): _P,
    (_S, "deem_accepted"): _P,
    (_R, "deem_accepted"): _P,
    (_S, "refuse"): CaseState.REFUSED,
    (_R, "refuse"): CaseState.REFUSED,
    (_P, "complete"): _RD,
    (_RD, "issue"): CaseState.ISSUED,
    (_S, "withdraw"): CaseState.WITHDRAWN,
    (_C, "withdraw"): CaseState.WITHDRAWN,
    (_R, "withdraw"): CaseState.WITHDRAWN,
    (_P, "withdraw"): CaseState.WITHDRAWN,
    (_RD, "withdraw"): CaseState.WITHDRAWN,
}

_W, _D, _IR, _SU = ItemState.WAITING, ItemState.DISPATCHED, ItemState.IN_REVIEW, ItemState.SUPPLEMENT

#: Lifecycle of an item case, decided by one department: (state, event) → the state after it.
#:
#: An item waits until every item it comes after is approved, is then
#: dispatched to its department, which takes it into review. Review may ask
#: for a supplement (补正: the clock stops until the applicant supplies it),
#: approve (never while a 容缺 promise holds it back: see ``HELD_REFUSES``) or
#: reject. Open item cases are cancelled when an item they depend on is
#: rejected or the case is withdrawn.
ITEM_TRANSITIONS: Mapping[tuple[str, str], ItemState] = {
    (_W, "dispatch"): _D,
    (_D, "take"): _IR,
    (_IR, "request_supplement"): _SU,
    (_SU, "supply"): _IR,
    (_IR, "approve"): ItemState.APPROVED,
    (_IR, "reject"): ItemState.REJECTED,
    (_SU, "reject"): ItemState.REJECTED,
    (_W, "cancel"): ItemState.CANCELLED,
    (_D, "cancel"): ItemState.CANCELLED,
    (_IR, "cancel"): ItemState.CANCELLED,
    (_SU, "cancel"): ItemState.CANCELLED,
}

#: The guard: the item events a 容缺 hold refuses.
HELD_REFUSES = frozenset({"approve"})

CASE_EVENTS = frozenset(event for _state, event in CASE_TRANSITIONS)
ITEM_EVENTS = frozenset(event for _state, event in ITEM_TRANSITIONS)


def _refused(kind: str, state: str, event: str, events: frozenset[str], *, held: bool = False) -> TransitionRefused:
    if event not in events:
        return TransitionRefused(kind, state, event, tx("unknown event"))
    return TransitionRefused(kind, state, event, tx("held by a 容缺 promise") if held else "")


def next_case_state(state: str, event: str) -> CaseState:
    """The case state after ``event``.

    Args:
        state: The current case state.
        event: One of the events of :data:`CASE_TRANSITIONS`.

    Returns:
        The new state.

    Raises:
        TransitionRefused: The event is not allowed in ``state``.
    """
    target = CASE_TRANSITIONS.get((state, event))
    if target is None:
        raise _refused("case", state, event, CASE_EVENTS)
    return target


def next_item_state(state: str, event: str, *, held: bool = False) -> ItemState:
    """The item case state after ``event``.

    Args:
        state: The current item case state.
        event: One of the events of :data:`ITEM_TRANSITIONS`.
        held: Whether a 容缺 promise holds the item back (guards ``approve``).

    Returns:
        The new state.

    Raises:
        TransitionRefused: The event is not allowed in ``state`` (or the item is held).
    """
    target = ITEM_TRANSITIONS.get((state, event))
    if target is None or (held and event in HELD_REFUSES):
        raise _refused("item case", state, event, ITEM_EVENTS, held=held)
    return target


def allowed_case_events(state: str) -> frozenset[str]:
    """The events a case in ``state`` allows."""
    return frozenset(event for (source, event) in CASE_TRANSITIONS if source == state)


def allowed_events(state: str, *, held: bool = False) -> frozenset[str]:
    """The events an item case in ``state`` allows (without ``approve`` while a 容缺 promise holds it)."""
    return frozenset(
        event for (source, event) in ITEM_TRANSITIONS if source == state and not (held and event in HELD_REFUSES)
    )


def transitions(table: Mapping[tuple[Any, str], Any]) -> frozenset[tuple[str, str, str]]:
    """Every ``(source value, event, target value)`` of a table, for docs and tests."""
    return frozenset((str(source), event, str(target)) for (source, event), target in table.items())
