"""A provisional holiday calendar from the rules of 《全国年节及纪念日放假办法》.

The State Council announces each year's holiday arrangement (with its make-up
workdays, 调休) only in November of the year before. For a year that has no
official arrangement yet, the law itself (as revised on 2024-11-10, in force
since 2025-01-01) still tells which days all citizens have off:

* 元旦 (New Year's Day): 1 January, 1 day;
* 春节 (Spring Festival): 除夕 (the eve) and 正月初一 to 初三, 4 days;
* 清明节: the day of the solar term 清明, 1 day;
* 劳动节: 1 and 2 May, 2 days;
* 端午节: 五月初五 of the lunar calendar, 1 day;
* 中秋节: 八月十五 of the lunar calendar, 1 day;
* 国庆节: 1 to 3 October, 3 days.

Article 6: a holiday of all citizens that falls on a Saturday or Sunday is
given back on a working day (补假). The law does not say which one; the
arrangements always give it right after the holiday, so here each holiday
day that falls on a weekend, or on a day that is already another holiday
(中秋 on 1–3 October, as in 2020), adds the first following weekday that is
not a holiday. Make-up workdays (调休) are never invented: they exist only in
an official arrangement.

Lunar dates and the solar term come from ``lunar_python`` (6tail's lunar
library: pure Python, astronomical computation of the solar terms, no table
of years). Dates are those of Beijing time. No Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from lunar_python import Lunar, Solar

__all__ = [
    "Festival",
    "RestDay",
    "provisional_exceptions",
    "provisional_rest_days",
    "statutory_holidays",
]


class Festival(StrEnum):
    """The public holidays of all citizens (全体公民放假的节日)."""

    NEW_YEAR = "NEW_YEAR"  # 元旦
    SPRING_FESTIVAL = "SPRING_FESTIVAL"  # 春节
    QINGMING = "QINGMING"  # 清明节
    LABOUR_DAY = "LABOUR_DAY"  # 劳动节
    DRAGON_BOAT = "DRAGON_BOAT"  # 端午节
    MID_AUTUMN = "MID_AUTUMN"  # 中秋节
    NATIONAL_DAY = "NATIONAL_DAY"  # 国庆节


@dataclass(frozen=True, slots=True)
class RestDay:
    """A provisional rest day: a holiday proper, or a day given back for one (``compensation``)."""

    day: date
    festival: Festival
    compensation: bool = False


def _lunar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a day of the lunar year that starts in ``year`` (not a leap month)."""
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    """The day of the solar term 清明 in ``year`` (sun at 15° ecliptic longitude), Beijing time."""
    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


@cache
def statutory_holidays(year: int) -> tuple[RestDay, ...]:
    """The holidays proper of ``year`` under the law in force (2024 revision), in date order.

    Args:
        year: A Gregorian year.

    Returns:
        The 13 holiday days; 中秋 may share a date with 国庆 (then both are listed).
    """
    new_year = _lunar(year, 1, 1)
    days = [
        RestDay(date(year, 1, 1), Festival.NEW_YEAR),
        *(RestDay(new_year + timedelta(days=offset), Festival.SPRING_FESTIVAL) for offset in range(-1, 3)),
        RestDay(_qingming(year), Festival.QINGMING),
        RestDay(date(year, 5, 1), Festival.LABOUR_DAY),
        RestDay(date(year, 5, 2), Festival.LABOUR_DAY),
        RestDay(_lunar(year, 5, 5), Festival.DRAGON_BOAT),
        RestDay(_lunar(year, 8, 15), Festival.MID_AUTUMN),
        *(RestDay(date(year, 10, day), Festival.NATIONAL_DAY) for day in (1, 2, 3)),
    ]
    return tuple(sorted(days, key=lambda rest: (rest.day, list(Festival).index(rest.festival))))


@cache
def provisional_rest_days(year: int) -> tuple[RestDay, ...]:
    """The holidays proper of ``year`` and the weekdays given back for those on a rest day (补假).

    Walking the holidays in date order, a holiday on a Saturday, a Sunday or a
    date another holiday already takes gives back the first weekday after it
    that is not yet a rest day. Weekends are not listed: they rest anyway.

    Args:
        year: A Gregorian year.

    Returns:
        Rest days in date order, each date once.
    """
    holidays = statutory_holidays(year)
    taken: dict[date, RestDay] = {}
    owed: list[RestDay] = []
    for holiday in holidays:
        if holiday.day.weekday() >= 5 or holiday.day in taken:
            owed.append(holiday)
        taken.setdefault(holiday.day, holiday)
    for holiday in owed:
        day = max(holiday.day, max(h.day for h in holidays if h.festival is holiday.festival))
        while True:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in taken:
                taken[day] = RestDay(day, holiday.festival, compensation=True)
                break
    return tuple(sorted(taken.values(), key=lambda rest: rest.day))


def provisional_exceptions(years: Iterable[int]) -> dict[date, bool]:
    """The provisional rest days of ``years`` as calendar exceptions: date → False (rest).

    Only rest days: a provisional calendar has no make-up workdays.
    """
    return {rest.day: False for year in years for rest in provisional_rest_days(year)}
