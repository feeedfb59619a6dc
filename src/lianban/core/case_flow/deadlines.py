"""Time: due dates, the clock stopped by a supplement (补正), deadline status and the ETA.

Working days come from a calendar object passed in (see :class:`Calendar`);
``today`` is passed in too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol

from lianban.core.case_flow.items import ItemView
from lianban.core.case_flow.states import RUNNING_ITEM_STATES, DueStatus, ItemState


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


#: Running item states whose clock runs (a supplement, 补正, stops it).
TICKING_ITEM_STATES = frozenset({ItemState.DISPATCHED, ItemState.IN_REVIEW})


def is_overdue(item: ItemView, today: date) -> bool:
    """Whether a running item case is overdue: the one rule (``cases.selectors.overdue_item_cases`` is its query).

    Past its stored due date, and either found overdue by the deadline sweep
    (a paused clock moves the effective due date later, the sweep counts it)
    or plainly late with a running clock.
    """
    if item.state not in RUNNING_ITEM_STATES or item.due_on is None or not item.due_on < today:
        return False
    return item.due_status is DueStatus.OVERDUE or item.state in TICKING_ITEM_STATES


def next_status_on(calendar: Calendar, item: ItemView, today: date, due_soon_days: int = 1) -> date | None:
    """The first day after ``today`` on which ``item_due_status`` gives another status than today (None: never).

    What the deadline sweep stores to come back on (with the signals' dates). A running item with its clock
    going moves on time → due soon → overdue, each once (found by bisection up to the due date; overdue the
    day after it). Nothing changes for an item not running, nor without a due date (``UNKNOWN`` until the
    calendar covers the year: the sweep retries it every day), nor while its clock is stopped (补正: the
    service that resumes it has the case looked at again).

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    if item.state not in TICKING_ITEM_STATES or item.due_on is None:
        return None
    due = item.due_on
    now = deadline_status(calendar, due, today, due_soon_days)
    if now is DueStatus.OVERDUE:
        return None
    overdue = due + timedelta(days=1)
    if now is DueStatus.DUE_SOON:
        return overdue
    low, high = today + timedelta(days=1), due
    if low > high or deadline_status(calendar, due, high, due_soon_days) is DueStatus.ON_TIME:
        return overdue  # a due date reached with no working day left is due soon on that day at the latest
    while low < high:  # due soon on ``high``; the first such day is in [low, high]
        middle = low + (high - low) // 2
        if deadline_status(calendar, due, middle, due_soon_days) is DueStatus.DUE_SOON:
            high = middle
        else:
            low = middle + timedelta(days=1)
    return low
