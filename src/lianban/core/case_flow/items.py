"""Which items start, which a rejection cancels, which a 容缺 promise holds, when a case is complete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from lianban.core.case_flow.states import FINAL_ITEM_STATES, CaseOutcome, DueStatus, ItemState


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
        held: Whether a 容缺 promise not yet kept holds it back.
        due_status: Its stored deadline status (None when not running).
        due_provisional: Whether its due date was counted through a provisional (预计) calendar year.
    """

    code: str
    state: ItemState
    after: tuple[str, ...] = ()
    promised_days: int = 0
    started_on: date | None = None
    due_on: date | None = None
    paused_since: date | None = None
    finished_on: date | None = None
    held: bool = False
    due_status: DueStatus | None = None
    due_provisional: bool = False


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
