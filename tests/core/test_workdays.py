"""Working-day arithmetic of the pure core: examples and hypothesis properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianban.core.errors import CalendarNotCovered, DomainError
from lianban.core.workdays import WorkCalendar, arrangement_needed, weekday_rule

ONE_DAY = timedelta(days=1)

# A slice of the real 2025 arrangement (State Council notice), written out so the
# core tests do not depend on any package: National Day + Mid-Autumn 10-01..10-08
# off, Sunday 09-28 and Saturday 10-11 worked.
NATIONAL_DAY_2025 = {
    **{date(2025, 10, day): False for day in range(1, 9)},
    date(2025, 9, 28): True,
    date(2025, 10, 11): True,
}


def make_calendar(
    exceptions: dict[date, bool] | None = None, years: range | set[int] = range(2024, 2027)
) -> WorkCalendar:
    return WorkCalendar.from_exceptions(exceptions or {}, years)


# ---------------------------------------------------------------- reference model


def reference(exceptions: dict[date, bool], years: set[int]) -> Callable[[date], bool]:
    """The obvious day-by-day definition, to compare the bisecting one against."""

    def is_working(day: date) -> bool:
        if day.year not in years:
            raise CalendarNotCovered(day.year)
        found = exceptions.get(day)
        return weekday_rule(day) if found is None else found

    return is_working


def reference_add(is_working: Callable[[date], bool], start: date, days: int) -> date:
    is_working(start)  # the start's year must be covered
    day = start
    if days == 0:
        while not is_working(day):
            day += ONE_DAY
        return day
    counted = 0
    while counted < days:
        day += ONE_DAY
        if is_working(day):
            counted += 1
    return day


def reference_between(is_working: Callable[[date], bool], start: date, end: date) -> int:
    for year in range(min(start.year, end.year), max(start.year, end.year) + 1):
        is_working(date(year, 1, 1))
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += is_working(day)
        day += ONE_DAY
    return count


def outcome(function: Callable[[], object]) -> object:
    """The value, or the year of the CalendarNotCovered raised."""
    try:
        return function()
    except CalendarNotCovered as error:
        return ("not covered", error.year)


# ---------------------------------------------------------------- strategies

YEARS = st.sets(st.integers(2020, 2026), min_size=1, max_size=5)
DATES = st.dates(min_value=date(2019, 12, 1), max_value=date(2027, 1, 31))
EXCEPTIONS = st.dictionaries(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)), st.booleans(), max_size=60
)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[WorkCalendar, Callable[[date], bool]]:
    years = draw(YEARS)
    exceptions = draw(EXCEPTIONS)
    return WorkCalendar.from_exceptions(exceptions, years), reference(exceptions, years)


@st.composite
def covered_dates(draw: st.DrawFn, calendar: WorkCalendar) -> date:
    year = draw(st.sampled_from(sorted(calendar.covered_years)))
    return draw(st.dates(min_value=date(year, 1, 1), max_value=date(year, 12, 31)))


# ---------------------------------------------------------------- examples


class TestExamples:
    def test_weekends_are_skipped(self) -> None:
        calendar = make_calendar()
        friday = date(2025, 3, 7)
        assert calendar.is_working_day(friday)
        assert not calendar.is_working_day(friday + ONE_DAY)
        assert not calendar.is_working_day(friday + 2 * ONE_DAY)
        assert calendar.add_working_days(friday, 1) == date(2025, 3, 10)
        assert calendar.next_working_day(friday) == date(2025, 3, 10)
        assert calendar.working_days_between(friday, date(2025, 3, 10)) == 1

    def test_holidays_are_skipped_and_make_up_workdays_counted(self) -> None:
        calendar = make_calendar(NATIONAL_DAY_2025)
        assert calendar.is_working_day(date(2025, 9, 28))  # a Sunday worked
        assert not calendar.is_working_day(date(2025, 10, 1))  # a Wednesday off
        assert calendar.is_working_day(date(2025, 10, 11))  # a Saturday worked
        # Friday 09-26 → Sun 09-28 (make-up), Mon 09-29, Tue 09-30, then Thu 10-09.
        assert calendar.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
        assert calendar.add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
        assert calendar.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
        assert calendar.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
        assert calendar.next_working_day(date(2025, 10, 1)) == date(2025, 10, 9)
        assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
        assert calendar.working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6

    def test_zero_days_is_the_start_when_it_works_else_the_next_working_day(self) -> None:
        calendar = make_calendar(NATIONAL_DAY_2025)
        assert calendar.add_working_days(date(2025, 9, 30), 0) == date(2025, 9, 30)
        assert calendar.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)
        assert calendar.add_working_days(date(2025, 9, 27), 0) == date(2025, 9, 28)

    def test_between_is_zero_when_end_is_not_after_start(self) -> None:
        calendar = make_calendar()
        assert calendar.working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
        assert calendar.working_days_between(date(2025, 3, 10), date(2025, 3, 3)) == 0

    def test_counting_crosses_covered_years(self) -> None:
        calendar = make_calendar(years={2025, 2026})
        assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 1)
        assert calendar.working_days_between(date(2025, 12, 30), date(2026, 1, 2)) == 3

    def test_negative_days_are_refused(self) -> None:
        with pytest.raises(ValueError, match="days must be >= 0"):
            make_calendar().add_working_days(date(2025, 3, 10), -1)

    def test_the_rule_is_asked_once_per_date_and_never_again(self) -> None:
        calls: list[date] = []

        def rule(day: date) -> bool:
            calls.append(day)
            return weekday_rule(day)

        calendar = WorkCalendar(rule, [2025, 2026])
        assert len(calls) == 365 + 365
        assert len(set(calls)) == len(calls)
        calls.clear()
        assert calendar.add_working_days(date(2025, 11, 3), 64) == date(2026, 1, 30)
        assert (
            calendar.working_days_between(date(2025, 1, 1), date(2026, 12, 31)) == 261 + 261 - 1
        )  # the start, a working Wednesday, does not count
        assert calendar.is_working_day(date(2026, 6, 1))
        assert calls == []


class TestUncoveredYears:
    def test_a_date_in_an_uncovered_year_raises_naming_the_year(self) -> None:
        calendar = make_calendar(years={2025, 2026})
        for ask in (
            lambda: calendar.is_working_day(date(2027, 5, 6)),
            lambda: calendar.add_working_days(date(2027, 5, 6), 3),
            lambda: calendar.next_working_day(date(2027, 5, 6)),
            lambda: calendar.working_days_between(date(2025, 5, 6), date(2027, 5, 6)),
            lambda: calendar.working_days_between(date(2027, 5, 6), date(2025, 5, 6)),
        ):
            with pytest.raises(CalendarNotCovered) as caught:
                ask()
            assert caught.value.year == 2027

    def test_counting_into_an_uncovered_year_raises(self) -> None:
        calendar = make_calendar(years={2025, 2027})
        with pytest.raises(CalendarNotCovered) as caught:
            calendar.add_working_days(date(2025, 12, 29), 5)
        assert caught.value.year == 2026
        with pytest.raises(CalendarNotCovered) as caught:
            calendar.working_days_between(date(2025, 12, 29), date(2027, 1, 5))
        assert caught.value.year == 2026

    def test_counting_past_the_last_covered_year_raises(self) -> None:
        calendar = make_calendar(years={2025})
        assert calendar.add_working_days(date(2025, 12, 30), 1) == date(2025, 12, 31)
        with pytest.raises(CalendarNotCovered) as caught:
            calendar.add_working_days(date(2025, 12, 30), 2)
        assert caught.value.year == 2026

    def test_the_error_is_a_domain_error_with_a_stable_code_and_an_instruction(self) -> None:
        error = CalendarNotCovered(2031)
        assert isinstance(error, DomainError)
        assert error.code == "calendar-not-covered"
        assert "2031" in error.message
        assert "override table" in error.message

    def test_an_empty_calendar_covers_nothing(self) -> None:
        calendar = WorkCalendar(weekday_rule, [])
        assert calendar.covered_years == frozenset()
        with pytest.raises(CalendarNotCovered):
            calendar.is_working_day(date(2025, 1, 2))


# ---------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(st.data(), calendars(), st.integers(0, 400))
def test_add_matches_the_day_by_day_definition(
    data: st.DataObject, built: tuple[WorkCalendar, Callable[[date], bool]], days: int
) -> None:
    calendar, is_working = built
    start = data.draw(DATES)
    assert outcome(lambda: calendar.add_working_days(start, days)) == outcome(
        lambda: reference_add(is_working, start, days)
    )


@settings(max_examples=150, deadline=None)
@given(calendars(), DATES, DATES)
def test_between_matches_the_day_by_day_definition(
    built: tuple[WorkCalendar, Callable[[date], bool]], start: date, end: date
) -> None:
    calendar, is_working = built
    assert outcome(lambda: calendar.working_days_between(start, end)) == outcome(
        lambda: reference_between(is_working, start, end)
    )


@settings(max_examples=150, deadline=None)
@given(calendars(), DATES)
def test_is_working_day_matches_the_rule(built: tuple[WorkCalendar, Callable[[date], bool]], day: date) -> None:
    calendar, is_working = built
    assert outcome(lambda: calendar.is_working_day(day)) == outcome(lambda: is_working(day))


@settings(max_examples=200, deadline=None)
@given(st.data(), calendars(), st.integers(1, 300))
def test_adding_then_counting_is_the_identity(
    data: st.DataObject, built: tuple[WorkCalendar, Callable[[date], bool]], days: int
) -> None:
    calendar, _ = built
    start = data.draw(covered_dates(calendar))
    try:
        end = calendar.add_working_days(start, days)
    except CalendarNotCovered:
        return
    assert end > start
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == days
    assert calendar.working_days_between(start, end - ONE_DAY) == days - 1


@settings(max_examples=200, deadline=None)
@given(st.data(), calendars(), st.integers(0, 200), st.integers(0, 200), st.integers(0, 40))
def test_adding_is_monotonic_in_days_and_in_start(
    data: st.DataObject, built: tuple[WorkCalendar, Callable[[date], bool]], days: int, more: int, later: int
) -> None:
    calendar, _ = built
    start = data.draw(covered_dates(calendar))
    try:
        base = calendar.add_working_days(start, days)
        further = calendar.add_working_days(start, days + more)
        from_later = calendar.add_working_days(start + timedelta(days=later), days)
    except CalendarNotCovered:
        return
    assert base <= further
    if days > 0 or calendar.is_working_day(start):
        # Strictly increasing, except that 0 and 1 day from a rest day both land on the next working day.
        assert (base == further) == (more == 0)
    assert base <= from_later


@settings(max_examples=150, deadline=None)
@given(st.data(), calendars())
def test_zero_days_and_next_working_day_agree(
    data: st.DataObject, built: tuple[WorkCalendar, Callable[[date], bool]]
) -> None:
    calendar, _ = built
    day = data.draw(covered_dates(calendar))
    try:
        nxt = calendar.next_working_day(day)
        zero = calendar.add_working_days(day, 0)
    except CalendarNotCovered:
        return
    assert nxt > day
    assert calendar.working_days_between(day, nxt) == 1
    assert zero == (day if calendar.is_working_day(day) else nxt)


@settings(max_examples=100, deadline=None)
@given(st.data(), calendars(), st.integers(0, 60))
def test_between_is_additive(
    data: st.DataObject, built: tuple[WorkCalendar, Callable[[date], bool]], span: int
) -> None:
    calendar, _ = built
    first = data.draw(covered_dates(calendar))
    middle = first + timedelta(days=data.draw(st.integers(0, span)))
    last = middle + timedelta(days=span)
    try:
        whole = calendar.working_days_between(first, last)
    except CalendarNotCovered:
        return
    assert whole == calendar.working_days_between(first, middle) + calendar.working_days_between(middle, last)


class TestProvisionalYears:
    def test_provisional_years_are_covered_and_a_count_through_them_is_provisional(self) -> None:
        calendar = WorkCalendar(weekday_rule, [2026], provisional_years=[2027])
        assert calendar.covered_years == {2026, 2027}
        assert calendar.provisional_years == {2027}
        due = calendar.add_working_days(date(2026, 12, 28), 10)
        assert due.year == 2027
        assert calendar.provisional_between(date(2026, 12, 28), due)
        assert not calendar.provisional_between(date(2026, 1, 5), date(2026, 12, 31))
        assert calendar.provisional_between(date(2027, 3, 1), date(2027, 3, 1))

    def test_a_confirmed_year_after_a_provisional_one_still_counts_through_it(self) -> None:
        calendar = WorkCalendar(weekday_rule, [2026, 2028], provisional_years=[2027])
        assert calendar.provisional_between(date(2026, 12, 1), date(2028, 1, 10))
        assert not calendar.provisional_between(date(2028, 1, 3), date(2028, 2, 1))

    def test_without_provisional_years_nothing_is_provisional(self) -> None:
        calendar = WorkCalendar(weekday_rule, [2026])
        assert not calendar.provisional_between(date(2026, 1, 1), date(2030, 1, 1))
        with pytest.raises(CalendarNotCovered):
            calendar.add_working_days(date(2026, 12, 28), 10)


class TestArrangementNeeded:
    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (date(2026, 10, 1), None),  # 91 days before the end of 2026
            (date(2026, 10, 2), 2027),  # 90 days before
            (date(2026, 12, 31), 2027),
            (date(2027, 3, 1), 2027),  # still not entered: still asked for
        ],
    )
    def test_from_the_warning_days_before_the_last_year_ends(self, today: date, expected: int | None) -> None:
        assert arrangement_needed(2026, today, 90) == expected

    def test_no_confirmed_year_at_all_asks_for_this_one(self) -> None:
        assert arrangement_needed(None, date(2026, 6, 1), 90) == 2026
