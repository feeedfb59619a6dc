"""The provisional calendar from 《全国年节及纪念日放假办法》 (2024 revision): the rules, the dates, the law's 补假."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from lunardate import LunarDate

from lianban.core.holiday_rules import (
    Festival,
    provisional_exceptions,
    provisional_rest_days,
    statutory_holidays,
)

YEARS = range(2025, 2061)


def days_of(year: int, festival: Festival) -> list[date]:
    return [h.day for h in statutory_holidays(year) if h.festival is festival]


class TestTheLawInForce:
    @pytest.mark.parametrize("year", YEARS)
    def test_thirteen_days_as_the_2024_revision_gives(self, year: int) -> None:
        counts = {festival: len(days_of(year, festival)) for festival in Festival}
        assert counts == {
            Festival.NEW_YEAR: 1,
            Festival.SPRING_FESTIVAL: 4,
            Festival.QINGMING: 1,
            Festival.LABOUR_DAY: 2,
            Festival.DRAGON_BOAT: 1,
            Festival.MID_AUTUMN: 1,
            Festival.NATIONAL_DAY: 3,
        }
        assert days_of(year, Festival.NEW_YEAR) == [date(year, 1, 1)]
        assert days_of(year, Festival.LABOUR_DAY) == [date(year, 5, 1), date(year, 5, 2)]
        assert days_of(year, Festival.NATIONAL_DAY) == [date(year, 10, d) for d in (1, 2, 3)]

    @pytest.mark.parametrize("year", YEARS)
    def test_lunar_dates_agree_with_an_independent_lunar_library(self, year: int) -> None:
        """lunardate (a separate table-based library) gives the same 除夕–初三, 端午 and 中秋."""
        new_year = LunarDate(year, 1, 1).to_solar_date()
        assert days_of(year, Festival.SPRING_FESTIVAL) == [new_year + timedelta(days=d) for d in (-1, 0, 1, 2)]
        assert days_of(year, Festival.DRAGON_BOAT) == [LunarDate(year, 5, 5).to_solar_date()]
        assert days_of(year, Festival.MID_AUTUMN) == [LunarDate(year, 8, 15).to_solar_date()]

    @pytest.mark.parametrize("year", YEARS)
    def test_qingming_is_the_solar_term_day_early_in_april(self, year: int) -> None:
        (day,) = days_of(year, Festival.QINGMING)
        assert date(year, 4, 4) <= day <= date(year, 4, 6)

    @pytest.mark.parametrize(
        ("year", "qingming"),
        # the sun reaches 15° ecliptic longitude (Beijing time), checked against an astronomical almanac (ephem)
        [(2025, 4), (2026, 5), (2027, 5), (2028, 4), (2029, 4), (2030, 5)],
    )
    def test_qingming_of_known_years(self, year: int, qingming: int) -> None:
        assert days_of(year, Festival.QINGMING) == [date(year, 4, qingming)]


class TestTwentyTwentySeven:
    def test_the_holidays_proper(self) -> None:
        assert [h.day.isoformat() for h in statutory_holidays(2027)] == [
            "2027-01-01",
            "2027-02-05",  # 除夕 (Friday); 正月初一 is Saturday 6 February
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-04-05",  # 清明
            "2027-05-01",
            "2027-05-02",
            "2027-06-09",  # 端午
            "2027-09-15",  # 中秋
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
        ]

    def test_holidays_on_a_weekend_are_given_back_on_the_following_weekdays(self) -> None:
        given_back = [r.day.isoformat() for r in provisional_rest_days(2027) if r.compensation]
        # 春节 Sat 6 + Sun 7 Feb → Tue 9, Wed 10 (Mon 8 is 初三); 劳动节 Sat 1 + Sun 2 May → Mon 3, Tue 4;
        # 国庆 Sat 2 + Sun 3 Oct → Mon 4, Tue 5
        assert given_back == ["2027-02-09", "2027-02-10", "2027-05-03", "2027-05-04", "2027-10-04", "2027-10-05"]

    def test_no_make_up_workdays_are_invented(self) -> None:
        exceptions = provisional_exceptions([2027])
        assert exceptions and not any(exceptions.values())
        assert {d.weekday() for d in exceptions if d.weekday() >= 5} <= {5, 6}
        assert date(2027, 2, 20) not in exceptions  # a Saturday stays a plain weekend day


class TestAgainstTheOfficialArrangements:
    """For the years chinesecalendar knows under the 2024 law, the rules stay inside the official rest days."""

    @pytest.mark.parametrize("year", [2025, 2026])
    def test_holidays_proper_and_given_back_days_are_official_rest_days(self, year: int) -> None:
        for rest in provisional_rest_days(year):
            assert not chinese_calendar.is_workday(rest.day), rest

    @pytest.mark.parametrize("year", [2025, 2026])
    def test_official_holidays_on_weekdays_the_rules_miss_are_only_bridge_days(self, year: int) -> None:
        """What the official arrangement rests beyond the rules is a swapped day (调休) next to a holiday."""
        rules = {rest.day for rest in provisional_rest_days(year)}
        missed = [
            day
            for day in (date(year, 1, 1) + timedelta(days=n) for n in range(365))
            if day.weekday() < 5 and not chinese_calendar.is_workday(day) and day not in rules
        ]
        swapped = [d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5]
        assert len(missed) == len(swapped)


def test_coinciding_holidays_give_back_a_day_each() -> None:
    """2028: 中秋 falls on 3 October, a 国庆 day; with Sunday 1 October two weekdays are given back."""
    rest = provisional_rest_days(2028)
    assert [r.day for r in rest if r.day.month == 10] == [date(2028, 10, d) for d in (1, 2, 3, 4, 5)]
    assert len({r.day for r in rest}) == len(rest)
