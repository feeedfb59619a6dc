"""The clock and the working-day calendar of the case engine, in one replaceable place."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
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


#: Topic of the notifications the calendar revision's trigger sends (migration ``workdays/0002``).
CALENDAR_TOPIC = "calendar"
#: The calendar as last built: (topic epoch it was read under, (its year, provisional years ahead), it).
_kept: tuple[tuple[int, int], tuple[int, int], Calendar] | None = None


def calendar() -> Calendar:
    """The platform's working-day calendar (chinesecalendar, the override table, provisional years).

    Where the process listens to the database's notifications (PostgreSQL, ``LIANBAN_TRACK_LISTEN``) the
    calendar is kept until the revision's trigger says it changed (or the year turns); elsewhere its
    revision is read on each call (``workdays.services.work_calendar`` rebuilds only when it changed).

    Raises:
        CalendarNotCovered: later, for a date in a year nobody covers.
    """
    global _kept
    from lianban.cases import track_local
    from lianban.workdays.services import work_calendar

    day = today()
    shape = (day.year, int(settings.LIANBAN_PROVISIONAL_YEARS))
    epoch = track_local.STAMPS.topic_epoch(CALENDAR_TOPIC) if track_local.enabled() else None
    kept = _kept
    if epoch is not None and kept is not None and kept[0] == epoch and kept[1] == shape:
        return kept[2]
    built = work_calendar(day)
    if epoch is not None and track_local.STAMPS.topic_epoch(CALENDAR_TOPIC) == epoch:
        _kept = (epoch, shape, built)
    return built
