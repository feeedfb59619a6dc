"""The clock and the working-day calendar of the case engine, in one replaceable place."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from lianban.cases.track_local import TopicKept
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


#: Topic of the notifications the calendar revision's trigger sends (migration ``workdays/0002``).
CALENDAR_TOPIC = "calendar"
#: The calendar as last built, kept while the calendar topic's epoch stands.
_CALENDAR: TopicKept[Calendar] = TopicKept(CALENDAR_TOPIC)


def calendar() -> Calendar:
    """The platform's working-day calendar (chinesecalendar, the override table, provisional years).

    Where the process listens to the database's notifications (PostgreSQL, ``LIANBAN_TRACK_LISTEN``) the
    calendar is kept until the revision's trigger says it changed (or the year turns); elsewhere its
    revision is read on each call (``workdays.services.work_calendar`` rebuilds only when it changed).

    Raises:
        CalendarNotCovered: later, for a date in a year nobody covers.
    """
    from lianban.workdays.services import work_calendar

    day = today()
    shape = (day.year, int(settings.LIANBAN_PROVISIONAL_YEARS))
    return _CALENDAR.get(shape, lambda: work_calendar(day))
