"""The platform calendar: real chinesecalendar data, the override table, covered years."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

import chinese_calendar
import pytest
from pytest_django import DjangoAssertNumQueries

from lianban.core.errors import CalendarNotCovered
from lianban.workdays.models import CalendarRevision, DayOverride
from lianban.workdays.services import (
    chinese_calendar_years,
    day_override_delete,
    day_override_set,
    work_calendar,
    year_coverage_declare,
    year_coverage_delete,
)

pytestmark = pytest.mark.django_db

ONE_DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def no_provisional_years(settings: Any) -> None:
    """These tests are about the confirmed calendar: no provisional years (tests/workdays/test_provisional.py)."""
    settings.LIANBAN_PROVISIONAL_YEARS = 0


def first_uncovered_year() -> int:
    """The first year after chinesecalendar's data (found from the package, not hard-coded)."""
    return chinese_calendar_years().stop


class TestChineseCalendar:
    def test_the_supported_years_are_the_ones_the_package_accepts(self) -> None:
        years = chinese_calendar_years()
        assert 2025 in years
        assert 2026 in years
        chinese_calendar.is_workday(date(years.start, 6, 1))
        chinese_calendar.is_workday(date(years.stop - 1, 6, 1))
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(years.start - 1, 6, 1))
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(years.stop, 6, 1))

    def test_every_covered_date_agrees_with_chinese_calendar(self) -> None:
        calendar = work_calendar()
        years = chinese_calendar_years()
        day, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
        while day <= last:
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += ONE_DAY

    def test_national_day_2025_is_a_holiday_with_two_make_up_workdays(self) -> None:
        calendar = work_calendar()
        for day in range(1, 9):
            assert not calendar.is_working_day(date(2025, 10, day))
        assert calendar.is_working_day(date(2025, 9, 28))  # Sunday worked
        assert calendar.is_working_day(date(2025, 10, 11))  # Saturday worked
        assert not calendar.is_working_day(date(2025, 10, 12))  # an ordinary Sunday
        assert calendar.next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
        # Fri 09-26 → Sun 09-28, Mon 09-29, Tue 09-30, Thu 10-09, Fri 10-10, Sat 10-11.
        assert calendar.add_working_days(date(2025, 9, 26), 6) == date(2025, 10, 11)
        assert calendar.working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6

    def test_spring_festival_2026_is_a_holiday_with_its_make_up_workdays(self) -> None:
        calendar = work_calendar()
        for day in range(15, 24):
            assert not calendar.is_working_day(date(2026, 2, day))
        assert calendar.is_working_day(date(2026, 2, 14))  # Saturday worked
        assert calendar.is_working_day(date(2026, 2, 28))  # Saturday worked
        assert calendar.is_working_day(date(2026, 1, 4))  # Sunday worked after New Year
        # Fri 02-13 → Sat 02-14, then nothing until Tue 02-24.
        assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
        assert calendar.add_working_days(date(2026, 2, 16), 0) == date(2026, 2, 24)

    def test_a_statutory_limit_across_new_year(self) -> None:
        calendar = work_calendar()
        # 2025-12-31 (Wed) + 3: 2026-01-01..03 are New Year holidays, 01-04 (Sun) is worked.
        assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
        assert calendar.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 6)
        assert calendar.working_days_between(date(2025, 12, 31), date(2026, 1, 6)) == 3

    def test_a_year_past_the_package_is_an_error_not_a_guess(self) -> None:
        year = first_uncovered_year()
        calendar = work_calendar()
        with pytest.raises(CalendarNotCovered) as caught:
            calendar.is_working_day(date(year, 3, 2))
        assert caught.value.year == year
        assert "override table" in caught.value.message
        with pytest.raises(CalendarNotCovered) as caught:
            calendar.add_working_days(date(year - 1, 12, 20), 30)
        assert caught.value.year == year


class TestOverrides:
    def test_an_override_wins_over_chinese_calendar(self) -> None:
        assert not work_calendar().is_working_day(date(2025, 10, 8))
        day_override_set(day=date(2025, 10, 8), is_working_day=True, note="local shift")
        assert work_calendar().is_working_day(date(2025, 10, 8))
        day_override_set(day=date(2025, 10, 9), is_working_day=False, note="local holiday")
        calendar = work_calendar()
        assert not calendar.is_working_day(date(2025, 10, 9))
        assert calendar.next_working_day(date(2025, 10, 7)) == date(2025, 10, 8)
        assert calendar.next_working_day(date(2025, 10, 8)) == date(2025, 10, 10)

    def test_setting_the_same_day_again_replaces_the_override(self) -> None:
        day_override_set(day=date(2025, 10, 8), is_working_day=True)
        day_override_set(day=date(2025, 10, 8), is_working_day=False, note="changed back")
        assert DayOverride.objects.count() == 1
        assert not work_calendar().is_working_day(date(2025, 10, 8))

    def test_deleting_an_override_restores_chinese_calendar(self) -> None:
        override = day_override_set(day=date(2025, 3, 3), is_working_day=False)
        assert not work_calendar().is_working_day(date(2025, 3, 3))
        day_override_delete(override=override)
        assert work_calendar().is_working_day(date(2025, 3, 3))

    def test_an_override_alone_does_not_cover_a_year(self) -> None:
        year = first_uncovered_year()
        day_override_set(day=date(year, 1, 1), is_working_day=False, note="New Year")
        with pytest.raises(CalendarNotCovered):
            work_calendar().is_working_day(date(year, 1, 2))


class TestDeclaredYears:
    def test_an_admin_declared_year_uses_weekdays_and_its_overrides(self) -> None:
        year = first_uncovered_year()
        jan_first = date(year, 1, 1)
        day_override_set(day=jan_first, is_working_day=False, note="New Year")
        year_coverage_declare(year=year, note="entered from the State Council notice")
        calendar = work_calendar()
        assert not calendar.is_working_day(jan_first)
        day = jan_first + ONE_DAY
        while day.year == year:
            assert calendar.is_working_day(day) == (day.weekday() < 5), day
            day += ONE_DAY
        # Counting runs from the package's last year straight into the declared one.
        last_known = date(year - 1, 12, 31)
        expected = calendar.next_working_day(jan_first)
        assert calendar.add_working_days(last_known, 1) == expected
        assert calendar.working_days_between(last_known, expected) == 1

    def test_a_make_up_workday_in_a_declared_year(self) -> None:
        year = first_uncovered_year()
        saturday = next(date(year, 2, d) for d in range(1, 8) if date(year, 2, d).weekday() == 5)
        year_coverage_declare(year=year)
        assert not work_calendar().is_working_day(saturday)
        day_override_set(day=saturday, is_working_day=True, note="make-up workday")
        assert work_calendar().is_working_day(saturday)

    def test_withdrawing_a_declared_year_uncovers_it(self) -> None:
        year = first_uncovered_year()
        coverage = year_coverage_declare(year=year)
        assert work_calendar().is_working_day(date(year, 3, 1)) == (date(year, 3, 1).weekday() < 5)
        year_coverage_delete(coverage=coverage)
        with pytest.raises(CalendarNotCovered):
            work_calendar().is_working_day(date(year, 3, 1))

    def test_a_gap_year_between_covered_years_stops_the_count(self) -> None:
        year = first_uncovered_year()
        year_coverage_declare(year=year + 1)
        with pytest.raises(CalendarNotCovered) as caught:
            work_calendar().add_working_days(date(year - 1, 12, 30), 10)
        assert caught.value.year == year


class TestCache:
    def test_the_calendar_is_reused_until_the_overrides_change(
        self, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        first = work_calendar()
        assert work_calendar() is first
        with django_assert_num_queries(1):
            assert work_calendar() is first
        day_override_set(day=date(2025, 3, 3), is_working_day=False)
        second = work_calendar()
        assert second is not first
        assert work_calendar() is second

    def test_a_write_from_another_process_is_seen(self) -> None:
        """Another process changes the table and the token; this process rebuilds."""
        calendar = work_calendar()
        assert calendar.is_working_day(date(2025, 3, 3))
        DayOverride.objects.create(date=date(2025, 3, 3), is_working_day=False)
        assert work_calendar() is calendar  # the ORM alone does not bump the token…
        CalendarRevision.objects.update_or_create(
            pk=CalendarRevision.SINGLETON, defaults={"token": "elsewhere", "changed_at": timezone.now()}
        )
        assert not work_calendar().is_working_day(date(2025, 3, 3))  # …the new token does
