"""The clock and the working-day calendar of the case engine, in one replaceable place."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from lianban.core.case_flow import Calendar


def now() -> datetime:
    """The current time (aware)."""
    return timezone.now()


def today() -> date:
    """Today's date in the platform's time zone."""
    return timezone.localtime(now()).date()


def local_date(moment: datetime) -> date:
    """The date of ``moment`` in the platform's time zone."""
    return timezone.localtime(moment).date()


def calendar() -> Calendar:
    """The platform's working-day calendar (chinesecalendar, the override table, provisional years).

    Raises:
        CalendarNotCovered: later, for a date in a year nobody covers.
    """
    from lianban.workdays.services import work_calendar

    return work_calendar(today())
