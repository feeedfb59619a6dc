"""The working-day calendar of the platform, and the writes to its override table.

``work_calendar()`` is what the rest of the platform uses. It combines
chinesecalendar (public holidays and make-up workdays of the years the
installed package knows) with the admins' :class:`DayOverride` rows, which
win, and the years admins declared complete in :class:`YearCoverage`: the
*confirmed* years. The years after them (``LIANBAN_PROVISIONAL_YEARS`` past
the last confirmed year or this year) get a *provisional* calendar computed
from the holiday law (``lianban.core.holiday_rules``); dates counted through
them are shown as 预计. A date in any other year raises ``CalendarNotCovered``.

Every change of the tables enqueues ``provisional_dates_recompute`` (after
commit), which gives the cases with provisional dates their dates again.

The calendar is built once per process and reused until the overrides change:
every write below replaces the revision token in the database, and
``work_calendar()`` compares that token (one small query) with the one its
cached calendar was built from. This works across processes and machines.
Writing the tables with the ORM directly skips the token: always use these
services.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import chinese_calendar

from lianban.common import generations
from lianban.common.hooks import Hook
from lianban.core.holiday_rules import provisional_exceptions, statutory_holidays
from lianban.core.workdays import WorkCalendar
from lianban.workdays.models import CalendarRevision, DayOverride, YearCoverage
from lianban.workdays.selectors import calendar_revision, day_override_map, declared_years

__all__ = [
    "calendar_fingerprint",
    "chinese_calendar_exceptions",
    "chinese_calendar_years",
    "confirmed_years",
    "day_override_delete",
    "day_override_save",
    "day_override_set",
    "holiday_arrangement_import",
    "holiday_file_parse",
    "work_calendar",
    "year_coverage_declare",
    "year_coverage_delete",
    "year_coverage_save",
]

logger = logging.getLogger(__name__)

_cached: tuple[tuple[str, int, int], WorkCalendar] | None = None


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


def confirmed_years(declared: set[int] | None = None) -> set[int]:
    """The years with an official arrangement: chinesecalendar's and the declared ones."""
    return set(chinese_calendar_years()) | (declared_years() if declared is None else declared)


def provisional_years(confirmed: set[int], *, this_year: int, ahead: int) -> list[int]:
    """The years given a provisional calendar: every unconfirmed year up to ``ahead`` past the later of
    the last confirmed year and ``this_year`` (from the first confirmed year on)."""
    if ahead <= 0 or not confirmed:
        return []
    last = max(max(confirmed), this_year) + ahead
    return [year for year in range(min(confirmed), last + 1) if year not in confirmed]


def build_work_calendar(
    *, overrides: dict[date, bool], declared: set[int], this_year: int | None = None, ahead: int = 0
) -> WorkCalendar:
    """The calendar from chinesecalendar plus the given overrides and declared years.

    With ``ahead`` > 0 the unconfirmed years up to ``ahead`` years past the
    later of the last confirmed year and ``this_year`` are provisional: the
    holiday law's rest days (no make-up workdays), with the admins' overrides
    on top.
    """
    confirmed = confirmed_years(declared)
    provisional = provisional_years(confirmed, this_year=this_year or timezone.localdate().year, ahead=ahead)
    exceptions = {**chinese_calendar_exceptions(), **provisional_exceptions(provisional), **overrides}
    return WorkCalendar.from_exceptions(exceptions, confirmed, provisional)


def work_calendar(today: date | None = None) -> WorkCalendar:
    """The platform's working-day calendar, cached until the override table (or the year) changes.

    Args:
        today: The current date (the case engine passes its clock's); the
            provisional years are counted from its year.

    Returns:
        A ``lianban.core.workdays.WorkCalendar`` (immutable; keep it for the
        duration of one operation rather than calling this in a loop).
    """
    global _cached
    this_year = (today or timezone.localdate()).year
    ahead = int(getattr(settings, "LIANBAN_PROVISIONAL_YEARS", 3))
    key = (calendar_revision(), this_year, ahead)  # read before the tables: a racing write only causes a rebuild
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    calendar = build_work_calendar(
        overrides=day_override_map(), declared=declared_years(), this_year=this_year, ahead=ahead
    )
    _cached = (key, calendar)
    return calendar


def calendar_fingerprint(today: date | None = None) -> str:
    """What the working days are made of: the years covered, the provisional ones, the revision of the
    tables and the chinesecalendar installed (a newer package changes the days without a table change)."""
    calendar = work_calendar(today)
    covered = ",".join(str(year) for year in sorted(calendar.covered_years))
    provisional = ",".join(str(year) for year in sorted(calendar.provisional_years))
    version = getattr(chinese_calendar, "__version__", "")
    return f"{covered}|{provisional}|{calendar_revision()}|{version}"


def _calendar_changed() -> None:
    """Give the calendar a new revision token (random, so a rolled-back token is never reused)."""
    now = timezone.now()
    pk = CalendarRevision.SINGLETON
    CalendarRevision.objects.bulk_create([CalendarRevision(pk=pk, token="", changed_at=now)], ignore_conflicts=True)
    CalendarRevision.objects.filter(pk=pk).update(token=uuid.uuid4().hex, changed_at=now)
    generations.renew_on_commit(generations.CALENDAR)
    transaction.on_commit(_recompute_enqueue)


#: Called once a change of the working-day calendar committed (supervision recomputes the provisional dates).
CALENDAR_CHANGED: Hook[[], object] = Hook("calendar changed")


def _recompute_enqueue() -> None:
    """Tell the apps above that the calendar changed (after the change committed)."""
    CALENDAR_CHANGED()


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


# ------------------------------------------------------------------ official arrangement files


@dataclass(frozen=True, slots=True)
class ArrangedDay:
    """One date of an official arrangement: a rest day (``off``) or a make-up workday."""

    day: date
    off: bool
    name: str


@dataclass(frozen=True, slots=True)
class Arrangement:
    """A year's official holiday arrangement, read from a holiday file.

    Attributes:
        year: The year arranged.
        days: Its dates that differ from Monday-to-Friday, by date.
        warnings: What looks odd without being wrong (a statutory holiday not
            listed as a rest day).
    """

    year: int
    days: tuple[ArrangedDay, ...]
    warnings: tuple[str, ...] = ()


class HolidayFileInvalid(ValueError):
    """A holiday file that cannot be imported; ``problems`` names each problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


#: Entries per file at most (a year has 366 dates).
MAX_FILE_DAYS = 366


def holiday_file_parse(content: bytes | str) -> Arrangement:
    """Read a holiday file in the common JSON format (the one of NateScarlet/holiday-cn).

    ``{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, ...]}``:
    every rest day that falls on a weekday and every make-up workday on a
    weekend (``isOffDay`` false); rest days on weekends may be listed too.
    Other keys (``$schema``, ``papers``) are ignored.

    Raises:
        HolidayFileInvalid: naming every problem found.
    """
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HolidayFileInvalid([_("not JSON: %(error)s") % {"error": exc}]) from None
    if not isinstance(data, dict):
        raise HolidayFileInvalid([_('not a JSON object with "year" and "days"')])
    year = data.get("year")
    days = data.get("days")
    problems: list[str] = []
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
        problems.append(_('"year" must be a year such as 2027, not %(value)s') % {"value": json.dumps(year)})
        year = None
    if not isinstance(days, list) or not days:
        problems.append(_('"days" must be a non-empty list of {"name", "date", "isOffDay"}'))
        raise HolidayFileInvalid(problems)
    if len(days) > MAX_FILE_DAYS:
        raise HolidayFileInvalid([*problems, _('"days" lists more than %(n)d dates') % {"n": MAX_FILE_DAYS}])
    seen: dict[date, ArrangedDay] = {}
    for index, entry in enumerate(days, start=1):
        where = _("day %(n)d") % {"n": index}
        if not isinstance(entry, dict):
            problems.append(_("%(where)s: not an object") % {"where": where})
            continue
        raw_date, off, name = entry.get("date"), entry.get("isOffDay"), entry.get("name", "")
        try:
            day = date.fromisoformat(raw_date) if isinstance(raw_date, str) and len(raw_date) == 10 else None
        except ValueError:
            day = None
        if day is None:
            problems.append(
                _('%(where)s: "date" must be a date such as 2027-01-01, not %(value)s')
                % {"where": where, "value": json.dumps(raw_date, ensure_ascii=False)}
            )
            continue
        where = day.isoformat()
        if not isinstance(off, bool):
            problems.append(_('%(where)s: "isOffDay" must be true or false') % {"where": where})
            continue
        if not isinstance(name, str) or len(name) > 100:
            problems.append(_('%(where)s: "name" must be a text of at most 100 characters') % {"where": where})
            continue
        if year is not None and day.year != year:
            problems.append(_("%(where)s: not in %(year)d") % {"where": where, "year": year})
        elif day in seen:
            problems.append(_("%(where)s: listed twice") % {"where": where})
        elif not off and day.weekday() < 5:
            problems.append(
                _("%(where)s: a weekday listed as a workday (only weekend make-up workdays are listed)")
                % {"where": where}
            )
        else:
            seen[day] = ArrangedDay(day, off, name.strip())
    if problems or year is None:
        raise HolidayFileInvalid(problems)
    rest = {d.day for d in seen.values() if d.off}
    warnings = tuple(
        _("%(day)s is a statutory holiday but the file does not list it as a rest day") % {"day": h.day.isoformat()}
        for h in statutory_holidays(year)
        if h.day not in rest and h.day.weekday() < 5
    )
    return Arrangement(year=year, days=tuple(sorted(seen.values(), key=lambda d: d.day)), warnings=warnings)


@transaction.atomic
def holiday_arrangement_import(*, arrangement: Arrangement, source: str = "") -> YearCoverage:
    """Enter a year's official arrangement: its overrides replace the year's, and the year is declared.

    The year becomes confirmed; the provisional dates counted through it are
    recomputed in the background (``provisional_dates_recompute``).

    Returns:
        The year's coverage row.
    """
    year = arrangement.year
    note = (source or _("holiday file"))[:200]
    removed, _counts = DayOverride.objects.filter(date__year=year).delete()
    DayOverride.objects.bulk_create(
        [
            DayOverride(date=d.day, is_working_day=not d.off, note=(f"{d.name} · {note}" if d.name else note)[:200])
            for d in arrangement.days
        ]
    )
    coverage, _created = YearCoverage.objects.update_or_create(year=year, defaults={"note": note})
    _calendar_changed()
    logger.info(
        "holiday arrangement of %s entered from %s: %s date(s), %s earlier override(s) replaced",
        year,
        note,
        len(arrangement.days),
        removed,
    )
    return coverage
