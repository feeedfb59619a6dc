"""Reads of the working-day tables."""

from __future__ import annotations

from datetime import date

from lianban.common.prepared import PreparedQuery
from lianban.workdays.models import CalendarRevision, DayOverride, YearCoverage


def day_override_map() -> dict[date, bool]:
    """Every admin override: date → working day or not."""
    return dict(DayOverride.objects.values_list("date", "is_working_day"))


def declared_years() -> set[int]:
    """The years an admin declared complete in the override table."""
    return set(YearCoverage.objects.values_list("year", flat=True))


#: Read by every service that computes a deadline: its SQL built once (``common.prepared``).
_REVISION = PreparedQuery(lambda pk: CalendarRevision.objects.filter(pk=pk).values_list("token", flat=True)[:1], pk=int)


def calendar_revision() -> str:
    """The token that changes whenever the overrides change ("" before the first change)."""
    token = _REVISION.first(pk=CalendarRevision.SINGLETON)
    return token or ""


def day_overrides_in_year(year: int) -> list[DayOverride]:
    """The overrides of one year, by date."""
    return list(DayOverride.objects.filter(date__year=year).order_by("date"))
