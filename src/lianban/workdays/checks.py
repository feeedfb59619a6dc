"""System check: the official holiday arrangement runs out soon (``lianban check --database default``, ``migrate``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from lianban.core.workdays import arrangement_needed


@register(Tags.database)
def holiday_arrangement_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn from ``LIANBAN_CALENDAR_WARNING_DAYS`` days before the last officially arranged year ends."""
    if not databases:
        return []
    from lianban.workdays.services import confirmed_years

    try:
        confirmed = confirmed_years()
    except DatabaseError:  # not migrated yet: migrate's own checks run before the tables exist
        return []
    last = max(confirmed, default=None)
    year = arrangement_needed(last, timezone.localdate(), settings.LIANBAN_CALENDAR_WARNING_DAYS)
    if year is None:
        return []
    return [
        Warning(
            f"the official holiday arrangement is entered up to {last}: due dates in {year} are provisional (预计), "
            "computed from the holiday law without make-up workdays",
            hint=f"enter {year}'s arrangement: `lianban holidays import FILE` (holiday-cn JSON) or the admin "
            "(Working-day calendar), or upgrade chinesecalendar (docs/workdays.md)",
            id="lianban.W101",
        )
    ]
