"""Deadline signals (预警): which levels a promise has reached on a given day.

Three levels, raised once each per subject and due date by the deadline sweep:

* ``NOTICE`` (提示): at most ``notice_days`` working days left (one by default);
* ``YELLOW`` (黄牌): at most ``yellow_percent`` % of the promised time left, or
  at most ``yellow_days`` working days;
* ``RED`` (红牌): the due date has passed.

Notice and yellow are for a promise still running: a subject found overdue
gets only the red card, whatever the sweep missed before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lianban.core.case_flow import Calendar


class SignalLevel(StrEnum):
    """How urgent a signal is."""

    NOTICE = "NOTICE"
    YELLOW = "YELLOW"
    RED = "RED"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When the notice and the yellow card are raised (settings ``LIANBAN_SIGNAL_*``)."""

    notice_days: int = 1
    yellow_percent: int = 20
    yellow_days: int = 1


def signal_levels(
    calendar: Calendar, started_on: date, due_on: date, today: date, thresholds: Thresholds
) -> tuple[SignalLevel, ...]:
    """The levels a promise from ``started_on`` to ``due_on`` has reached on ``today``.

    Args:
        calendar: The working-day calendar.
        started_on: When the promised time began (dispatch, acceptance, submission).
        due_on: The promised deadline (the last day that is still on time).
        today: The current date.
        thresholds: When notice and yellow card are due.

    Returns:
        The levels reached, in order of urgency (empty when none).
    """
    if today > due_on:
        return (SignalLevel.RED,)
    left = calendar.working_days_between(today, due_on)
    promised = calendar.working_days_between(started_on, due_on)
    levels: list[SignalLevel] = []
    if left <= thresholds.notice_days:
        levels.append(SignalLevel.NOTICE)
    if left <= thresholds.yellow_days or left * 100 <= promised * thresholds.yellow_percent:
        levels.append(SignalLevel.YELLOW)
    return tuple(levels)


def next_signal_on(
    calendar: Calendar,
    started_on: date,
    due_on: date,
    today: date,
    thresholds: Thresholds,
    raised: Collection[SignalLevel] = (),
    *,
    only_red: bool = False,
) -> date | None:
    """The first day after ``today`` on which the promise reaches a level not in ``raised`` (None: never).

    What the deadline sweep stores to come back on (``Case.sweep_on``): on that day ``signal_levels`` gives a
    level the promise has not raised yet. Each level, once reached, stays reached until the due date passes
    (then only ``RED``), so the first day of each is found by bisection over the days up to the due date;
    ``RED`` comes the day after it. ``only_red``: notice and yellow are not watched (容缺 promises).

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    candidates: list[date] = []
    if SignalLevel.RED not in raised:
        candidates.append(max(due_on + timedelta(days=1), today + timedelta(days=1)))
    if not only_red:
        for level in (SignalLevel.NOTICE, SignalLevel.YELLOW):
            if level in raised:
                continue
            first = _first_day_reached(calendar, started_on, due_on, today, thresholds, level)
            if first is not None:
                candidates.append(first)
    return min(candidates, default=None)


def _first_day_reached(
    calendar: Calendar, started_on: date, due_on: date, today: date, thresholds: Thresholds, level: SignalLevel
) -> date | None:
    """The first day in (today, due_on] on which ``level`` is reached; None when none is (bisection)."""
    low, high = today + timedelta(days=1), due_on
    if low > high or level not in signal_levels(calendar, started_on, due_on, high, thresholds):
        return None
    while low < high:  # reached on ``high``; the first day reached is in [low, high]
        middle = low + (high - low) // 2
        if level in signal_levels(calendar, started_on, due_on, middle, thresholds):
            high = middle
        else:
            low = middle + timedelta(days=1)
    return low
