"""The working-day calendar of the platform, and the writes to its override table.

``work_calendar()`` is what the rest of the platform uses. It combines
chinesecalendar (public holidays and make-up workdays of the years the
installed package knows) with the admins' :class:`DayOverride` rows, which
win, and the years admins declared complete in :class:`YearCoverage`. A
date in any other year raises ``CalendarNotCovered``.

The calendar is built once per process and reused until the overrides change:
every write below replaces the revision token in the database, and
``work_calendar()`` compares that token (one small query) with the one its
cached calendar was built from. This works across processes and machines.
Writing the tables with the ORM directly skips the token: always use these
services.
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import cache

from django.db import transaction
from django.utils import timezone

import chinese_calendar

from lianban.common import generations
from lianban.core.workdays import WorkCalendar
from lianban.workdays.models import CalendarRevision, DayOverride, YearCoverage
from lianban.workdays.selectors import calendar_revision, day_override_map, declared_years

__all__ = [
    "chinese_calendar_exceptions",
    "chinese_calendar_years",
    "day_override_delete",
    "day_override_save",
    "day_override_set",
    "work_calendar",
    "year_coverage_declare",
    "year_coverage_delete",
    "year_coverage_save",
]

_cached: tuple[str, WorkCalendar] | None = None


# ------------------------------------------------------------------ chinesecalendar


def chinese_calendar_years() -> range:
    """The years the installed chinesecalendar has data for (as the package itself checks them)."""
    holidays = chinese_calendar.holidays
    return range(min(holidays).year, max(holidays).year + 1)


@cache
def chinese_calendar_exceptions() -> dict[date, bool]:
    """chinesecalendar's dates that differ from Monday-to-Friday: holidays False, make-up workdays True.

    The same rule as ``chinese_calendar.is_workday``: a listed workday works even if
    it is also listed as a holiday.
    """
    exceptions: dict[date, bool] = dict.fromkeys(chinese_calendar.holidays, False)
    exceptions.update(dict.fromkeys(chinese_calendar.workdays, True))
    return exceptions


# ------------------------------------------------------------------ the calendar


def build_work_calendar(*, overrides: dict[date, bool], declared: set[int]) -> WorkCalendar:
    """The calendar from chinesecalendar plus the given overrides and declared years."""
    exceptions = {**chinese_calendar_exceptions(), **overrides}
    return WorkCalendar.from_exceptions(exceptions, set(chinese_calendar_years()) | declared)


def work_calendar() -> WorkCalendar:
    """The platform's working-day calendar, cached until the override table changes.

    Returns:
        A ``lianban.core.workdays.WorkCalendar`` (immutable; keep it for the
        duration of one operation rather than calling this in a loop).
    """
    global _cached
    revision = calendar_revision()  # read before the tables: a racing write only causes a rebuild
    cached = _cached
    if cached is not None and cached[0] == revision:
        return cached[1]
    calendar = build_work_calendar(overrides=day_override_map(), declared=declared_years())
    _cached = (revision, calendar)
    return calendar


def _calendar_changed() -> None:
    """Give the calendar a new revision token (random, so a rolled-back token is never reused)."""
    now = timezone.now()
    pk = CalendarRevision.SINGLETON
    CalendarRevision.objects.bulk_create([CalendarRevision(pk=pk, token="", changed_at=now)], ignore_conflicts=True)
    CalendarRevision.objects.filter(pk=pk).update(token=uuid.uuid4().hex, changed_at=now)
    generations.renew_on_commit(generations.CALENDAR)


# ------------------------------------------------------------------ override writes


@transaction.atomic
def day_override_set(*, day: date, is_working_day: bool, note: str = "") -> DayOverride:
    """Declare ``day`` a working day or a rest day, replacing any earlier override of it."""
    override, _created = DayOverride.objects.update_or_create(
        date=day, defaults={"is_working_day": is_working_day, "note": note}
    )
    _calendar_changed()
    return override


@transaction.atomic
def day_override_save(*, override: DayOverride) -> DayOverride:
    """Validate and save an override built elsewhere (the admin's form)."""
    override.full_clean()
    if override._state.adding:
        override.save()
    else:
        override.save(update_fields=["date", "is_working_day", "note"])
    _calendar_changed()
    return override


@transaction.atomic
def day_override_delete(*, override: DayOverride) -> None:
    """Remove an override; the day follows chinesecalendar (or the weekday rule) again."""
    override.delete()
    _calendar_changed()


@transaction.atomic
def year_coverage_declare(*, year: int, note: str = "") -> YearCoverage:
    """Declare that ``year``'s holidays and make-up workdays are all in the override table."""
    coverage, _created = YearCoverage.objects.update_or_create(year=year, defaults={"note": note})
    _calendar_changed()
    return coverage


@transaction.atomic
def year_coverage_save(*, coverage: YearCoverage) -> YearCoverage:
    """Validate and save a covered year built elsewhere (the admin's form)."""
    coverage.full_clean()
    if coverage._state.adding:
        coverage.save()
    else:
        coverage.save(update_fields=["year", "note"])
    _calendar_changed()
    return coverage


@transaction.atomic
def year_coverage_delete(*, coverage: YearCoverage) -> None:
    """Withdraw a declared year; unless chinesecalendar knows it, it is uncovered again."""
    coverage.delete()
    _calendar_changed()
