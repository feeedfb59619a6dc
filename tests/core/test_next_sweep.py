"""The next day the deadline sweep must look at a case or an order (pure core), checked day by day.

Each "next day" function is compared with the day-by-day answer of the rule it anticipates
(``signal_levels``, ``item_due_status``, ``case_eta``, ``follow_ups``) over every start, due date and
today in a window that crosses an ordinary weekend, the 2025 National Day holiday with its make-up
Sunday and Saturday (调休), and a provisional year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain, combinations

import pytest

from lianban.core.case_flow import (
    CaseState,
    DueStatus,
    ItemState,
    ItemView,
    case_eta,
    item_due_status,
    next_eta_on,
    next_status_on,
)
from lianban.core.errors import CalendarNotCovered
from lianban.core.orders import OrderDates, follow_ups, next_follow_up_on
from lianban.core.signals import SignalLevel, Thresholds, next_signal_on, signal_levels
from lianban.core.workdays import WorkCalendar, weekday_rule
from tests.core.test_workdays import NATIONAL_DAY_2025

ONE_DAY = timedelta(days=1)
N, Y, R = SignalLevel.NOTICE, SignalLevel.YELLOW, SignalLevel.RED

PLAIN = WorkCalendar.from_exceptions({}, range(2025, 2026))
TIAOXIU = WorkCalendar.from_exceptions(NATIONAL_DAY_2025, range(2025, 2026))
#: 2026 confirmed (weekdays), 2027 provisional (weekdays, 预计): the count crosses into it.
PROVISIONAL = WorkCalendar(weekday_rule, [2026], provisional_years=[2027])

#: (calendar, first day of a window of starts and todays)
WINDOWS = [
    (PLAIN, date(2025, 3, 3)),
    (TIAOXIU, date(2025, 9, 24)),  # the make-up Sunday 09-28, the holiday 10-01..10-08, Saturday 10-11 worked
    (PROVISIONAL, date(2026, 12, 21)),
]
THRESHOLDS = [Thresholds(), Thresholds(notice_days=0), Thresholds(yellow_percent=40, yellow_days=0)]


def days(first: date, count: int) -> Iterator[date]:
    return (first + ONE_DAY * n for n in range(count))


def subsets(levels: tuple[SignalLevel, ...]) -> Iterator[frozenset[SignalLevel]]:
    return (frozenset(c) for c in chain.from_iterable(combinations(levels, n) for n in range(len(levels) + 1)))


def first_new_level(
    calendar: WorkCalendar,
    start: date,
    due: date,
    today: date,
    thresholds: Thresholds,
    raised: frozenset[SignalLevel],
    *,
    only_red: bool = False,
) -> date | None:
    """Day by day: the first day after today with a level not raised (what the sweep would raise)."""
    day = today + ONE_DAY
    while day <= due + ONE_DAY:
        reached = signal_levels(calendar, start, due, day, thresholds)
        if any(level not in raised and (not only_red or level is R) for level in reached):
            return day
        day += ONE_DAY
    return None


# ------------------------------------------------------------------ signals


@pytest.mark.parametrize(("calendar", "first"), WINDOWS)
@pytest.mark.parametrize("thresholds", THRESHOLDS)
def test_the_next_signal_day_is_the_first_day_a_level_not_raised_appears(
    calendar: WorkCalendar, first: date, thresholds: Thresholds
) -> None:
    checked = 0
    for start in days(first, 8):
        for promised in (0, 1, 2, 3, 5, 8):
            due = calendar.add_working_days(start, promised)
            for today in days(start, (due - start).days + 4):
                reached = frozenset(signal_levels(calendar, start, due, today, thresholds))
                for raised in subsets((N, Y, R)):
                    had = raised | reached  # the sweep raised today's levels before it asks
                    for only_red in (False, True):
                        expected = first_new_level(calendar, start, due, today, thresholds, had, only_red=only_red)
                        got = next_signal_on(calendar, start, due, today, thresholds, had, only_red=only_red)
                        assert got == expected, (start, due, today, had, only_red)
                        checked += 1
    assert checked > 1000


def test_examples_across_the_national_day_holiday_and_its_make_up_days() -> None:
    start = date(2025, 9, 30)
    due = TIAOXIU.add_working_days(start, 2)
    assert due == date(2025, 10, 10)
    # on 09-30 nothing is reached: the notice and yellow card come on 10-09 (the holiday is skipped) …
    assert next_signal_on(TIAOXIU, start, due, start, Thresholds()) == date(2025, 10, 9)
    # … the red card on the make-up Saturday 10-11, once both are raised
    assert next_signal_on(TIAOXIU, start, due, date(2025, 10, 9), Thresholds(), {N, Y}) == date(2025, 10, 11)
    assert next_signal_on(TIAOXIU, start, due, date(2025, 10, 11), Thresholds(), {N, Y, R}) is None
    # a promise due on the make-up Sunday: notice on Saturday 09-27
    sunday = TIAOXIU.add_working_days(date(2025, 9, 26), 1)
    assert sunday == date(2025, 9, 28)
    assert next_signal_on(TIAOXIU, date(2025, 9, 26), sunday, date(2025, 9, 26), Thresholds()) == date(2025, 9, 27)


def test_a_promise_already_overdue_owes_only_its_red_card_once() -> None:
    start, due = date(2025, 3, 3), date(2025, 3, 10)
    assert next_signal_on(PLAIN, start, due, date(2025, 3, 20), Thresholds()) == date(2025, 3, 21)
    assert next_signal_on(PLAIN, start, due, date(2025, 3, 20), Thresholds(), {R}) is None


def test_a_count_the_calendar_does_not_cover_raises_for_the_sweep_to_retry() -> None:
    calendar = WorkCalendar.from_exceptions({}, range(2025, 2026))
    with pytest.raises(CalendarNotCovered):
        next_signal_on(calendar, date(2025, 12, 22), date(2026, 1, 20), date(2025, 12, 22), Thresholds())


def test_across_into_a_provisional_year_the_days_are_counted_like_any_other() -> None:
    start = date(2026, 12, 28)
    due = PROVISIONAL.add_working_days(start, 5)
    assert due == date(2027, 1, 4)
    assert next_signal_on(PROVISIONAL, start, due, start, Thresholds()) == date(2027, 1, 1)  # 1 of 5 left


# ------------------------------------------------------------------ item status


def item(state: ItemState, start: date, due: date | None, paused_since: date | None = None) -> ItemView:
    return ItemView(code="A", state=state, promised_days=5, started_on=start, due_on=due, paused_since=paused_since)


@pytest.mark.parametrize(("calendar", "first"), WINDOWS)
@pytest.mark.parametrize("soon", [0, 1, 2])
def test_the_next_status_day_is_the_first_day_the_status_changes(
    calendar: WorkCalendar, first: date, soon: int
) -> None:
    for start in days(first, 8):
        for promised in (0, 1, 2, 5):
            due = calendar.add_working_days(start, promised)
            for state in (ItemState.DISPATCHED, ItemState.IN_REVIEW):
                view = item(state, start, due)
                for today in days(start, (due - start).days + 3):
                    now = item_due_status(calendar, view, today, soon)
                    expected = next(
                        (d for d in days(today + ONE_DAY, 40) if item_due_status(calendar, view, d, soon) != now),
                        None,
                    )
                    assert next_status_on(calendar, view, today, soon) == expected, (start, due, today)


def test_no_status_day_without_a_ticking_clock_or_a_due_date() -> None:
    today = date(2025, 3, 5)
    assert next_status_on(PLAIN, item(ItemState.SUPPLEMENT, today, date(2025, 3, 10), today), today) is None
    assert next_status_on(PLAIN, item(ItemState.DISPATCHED, today, None), today) is None
    assert next_status_on(PLAIN, item(ItemState.APPROVED, today, date(2025, 3, 10)), today) is None
    assert item_due_status(PLAIN, item(ItemState.DISPATCHED, today, None), today) is DueStatus.UNKNOWN


# ------------------------------------------------------------------ ETA


def cases(start: date, calendar: WorkCalendar) -> Iterator[tuple[ItemView, ...]]:
    """Item sets whose ETA does or does not follow today: on time, overdue, paused, waiting behind one."""
    due = calendar.add_working_days(start, 3)
    running = item(ItemState.DISPATCHED, start, due)
    paused = item(ItemState.SUPPLEMENT, start, due, paused_since=start)  # paused on the first day
    waiting = ItemView(code="B", state=ItemState.WAITING, after=("A",), promised_days=2)
    held = ItemView(code="C", state=ItemState.WAITING, promised_days=2, held=True)
    approved = ItemView(code="A", state=ItemState.APPROVED, promised_days=5, finished_on=start)
    yield (running,)
    yield (running, waiting)
    yield (paused, waiting)
    yield (approved, held)
    yield (running, held)


@pytest.mark.parametrize(("calendar", "first"), WINDOWS)
def test_the_eta_never_changes_before_the_sweep_comes_back(calendar: WorkCalendar, first: date) -> None:
    """The sweep's next day for the ETA (with the items' status days) is never after the ETA's next change;
    a day ``next_eta_on`` names is a day the ETA does change."""
    for start in days(first, 6):
        for items in cases(start, calendar):
            for today in days(start, 14):
                now = case_eta(CaseState.IN_PROGRESS, items, calendar, today)
                changes = next(
                    (
                        d
                        for d in days(today + ONE_DAY, 30)
                        if case_eta(CaseState.IN_PROGRESS, items, calendar, d) != now
                    ),
                    None,
                )
                eta_day = next_eta_on(CaseState.IN_PROGRESS, items, calendar, today)
                if eta_day is not None and eta_day <= today + 10 * ONE_DAY:
                    assert case_eta(CaseState.IN_PROGRESS, items, calendar, eta_day) != now
                statuses = [next_status_on(calendar, view, today) for view in items]
                back = min((d for d in [eta_day, *statuses] if d is not None), default=None)
                if changes is not None and changes.year == today.year:  # (the provisional flag: 1 January)
                    assert back is not None and back <= changes, (items, today, changes, back)


def test_an_overdue_item_moves_the_eta_every_day_an_on_time_one_does_not() -> None:
    start = date(2025, 3, 3)
    due = PLAIN.add_working_days(start, 3)  # Thursday 03-06
    on_time = (item(ItemState.DISPATCHED, start, due),)
    assert next_eta_on(CaseState.IN_PROGRESS, on_time, PLAIN, start) is None
    assert next_status_on(PLAIN, on_time[0], start) == date(2025, 3, 5)  # due soon, then overdue on 03-07
    # overdue on Friday 03-07: the ETA is "today at the earliest": Saturday already says Monday
    assert next_eta_on(CaseState.IN_PROGRESS, on_time, PLAIN, date(2025, 3, 7)) == date(2025, 3, 8)
    assert next_eta_on(CaseState.IN_PROGRESS, on_time, PLAIN, date(2025, 3, 8)) == date(2025, 3, 11)
    assert next_eta_on(CaseState.ISSUED, on_time, PLAIN, start) is None


def test_a_paused_item_moves_the_eta_on_the_next_working_day() -> None:
    friday = date(2025, 3, 7)
    paused = (item(ItemState.SUPPLEMENT, date(2025, 3, 3), date(2025, 3, 12), paused_since=date(2025, 3, 5)),)
    assert next_eta_on(CaseState.IN_PROGRESS, paused, PLAIN, friday) == date(2025, 3, 10)  # Monday


def test_a_provisional_eta_is_looked_at_again_on_the_first_of_january() -> None:
    start = date(2026, 12, 1)
    due = PROVISIONAL.add_working_days(start, 30)
    assert due.year == 2027
    items = (item(ItemState.DISPATCHED, start, due),)
    assert case_eta(CaseState.IN_PROGRESS, items, PROVISIONAL, start).provisional
    assert next_eta_on(CaseState.IN_PROGRESS, items, PROVISIONAL, start) == date(2027, 1, 1)


# ------------------------------------------------------------------ 督办 follow-ups


@pytest.mark.parametrize(("calendar", "first"), WINDOWS)
@pytest.mark.parametrize("escalate", [0, 1, 5])
def test_the_next_follow_up_day_is_the_first_day_one_is_owed(
    calendar: WorkCalendar, first: date, escalate: int
) -> None:
    dates = OrderDates(escalate_days=escalate)
    for due in days(first, 10):
        for urged in (None, due):
            for escalated in (None, due):
                for today in days(due - 3 * ONE_DAY, 20):
                    expected = next(
                        (
                            d
                            for d in days(today + ONE_DAY, 30)
                            if follow_ups(calendar, due, d, dates, urged_for=urged, escalated_for=escalated)
                        ),
                        None,
                    )
                    if today > due and follow_ups(
                        calendar, due, today, dates, urged_for=urged, escalated_for=escalated
                    ):
                        continue  # owed today: the sweep does it now, and asks again with the dates recorded
                    got = next_follow_up_on(calendar, due, today, dates, urged_for=urged, escalated_for=escalated)
                    assert got == expected, (due, today, urged, escalated)


def test_the_follow_up_days_across_the_holiday() -> None:
    due = date(2025, 9, 30)
    dates = OrderDates(escalate_days=5)
    assert next_follow_up_on(TIAOXIU, due, due, dates, urged_for=None, escalated_for=None) == date(2025, 10, 1)
    # urged on 10-01; five working days after 09-30 are 10-09, 10-10, 10-11 (worked), 10-13, 10-14
    assert next_follow_up_on(TIAOXIU, due, date(2025, 10, 1), dates, urged_for=due, escalated_for=None) == date(
        2025, 10, 14
    )
    assert next_follow_up_on(TIAOXIU, due, date(2025, 10, 14), dates, urged_for=due, escalated_for=due) is None
    assert next_follow_up_on(TIAOXIU, None, due, dates, urged_for=None, escalated_for=None) is None
