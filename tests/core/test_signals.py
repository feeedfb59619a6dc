"""Which deadline signals a promise has reached, day by day (pure core)."""

from __future__ import annotations

from datetime import date

from lianban.core.signals import SignalLevel, Thresholds, signal_levels
from lianban.core.workdays import WorkCalendar

# Plain weeks (no holiday): Monday 2025-03-03 + 5 working days is Monday 2025-03-10.
CALENDAR = WorkCalendar.from_exceptions({}, range(2025, 2026))
START, DUE = date(2025, 3, 3), date(2025, 3, 10)
N, Y, R = SignalLevel.NOTICE, SignalLevel.YELLOW, SignalLevel.RED


def levels(today: date, thresholds: Thresholds | None = None) -> tuple[SignalLevel, ...]:
    return signal_levels(CALENDAR, START, DUE, today, thresholds or Thresholds())


def test_nothing_while_more_than_a_day_and_a_fifth_are_left() -> None:
    assert [levels(date(2025, 3, d)) for d in (3, 4, 5, 6)] == [(), (), (), ()]


def test_notice_and_yellow_the_working_day_before_across_the_weekend_red_after() -> None:
    assert levels(date(2025, 3, 7)) == (N, Y)  # Friday: Monday is one working day away
    assert levels(date(2025, 3, 8)) == (N, Y)  # Saturday: still one
    assert levels(date(2025, 3, 10)) == (N, Y)  # the due day: none left, still on time
    assert levels(date(2025, 3, 11)) == (R,)


def test_the_yellow_share_and_days_are_settings() -> None:
    forty = Thresholds(yellow_percent=40)
    assert levels(date(2025, 3, 5), forty) == ()  # 3 of 5 left
    assert levels(date(2025, 3, 6), forty) == (Y,)  # 2 of 5 = 40 %
    assert levels(date(2025, 3, 5), Thresholds(yellow_percent=0, yellow_days=3)) == (Y,)
    assert levels(date(2025, 3, 7), Thresholds(notice_days=0)) == (Y,)


def test_a_long_promise_turns_yellow_at_a_fifth() -> None:
    due = CALENDAR.add_working_days(START, 20)  # 2025-03-31
    assert signal_levels(CALENDAR, START, due, date(2025, 3, 24), Thresholds()) == ()  # 5 left
    assert signal_levels(CALENDAR, START, due, date(2025, 3, 25), Thresholds()) == (Y,)  # 4 = 20 %


def test_across_a_holiday_with_make_up_workdays() -> None:
    from tests.core.test_workdays import NATIONAL_DAY_2025  # 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked

    calendar = WorkCalendar.from_exceptions(NATIONAL_DAY_2025, range(2025, 2026))
    start = date(2025, 9, 30)
    due = calendar.add_working_days(start, 2)
    assert due == date(2025, 10, 10)

    def at(day: int) -> tuple[SignalLevel, ...]:
        return signal_levels(calendar, start, due, date(2025, 10, day), Thresholds())

    assert [at(d) for d in range(1, 9)] == [()] * 8  # the holiday: still two working days left
    assert at(9) == (N, Y)
    assert at(11) == (R,)  # the make-up Saturday: overdue
    sunday_due = calendar.add_working_days(date(2025, 9, 26), 1)
    assert sunday_due == date(2025, 9, 28)  # the make-up Sunday
    assert signal_levels(calendar, date(2025, 9, 26), sunday_due, date(2025, 9, 27), Thresholds()) == (N, Y)
