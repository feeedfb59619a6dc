"""Working-day arithmetic over a calendar that knows which years it covers.

A :class:`WorkCalendar` is built once from a rule telling, for every date of
the covered years, whether it is a working day. It precomputes the sorted
working days so that adding or counting working days is a binary search, not
a walk. Every question about a date in a year the calendar does not cover
raises :class:`~lianban.core.errors.CalendarNotCovered`: an uncovered year is
an error, never a guess.

Some covered years may be *provisional*: their rule is not an official
arrangement but one computed from the law (see ``lianban.core.holiday_rules``).
The calendar answers for them all the same and tells which dates depend on
them (:meth:`WorkCalendar.provisional_between`), so that a date computed
through such a year is shown as 预计 (provisional) until the year is confirmed.

No Django. No clock. Where the rule comes from (chinesecalendar, an override
table) is the shell's business.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta

from lianban.core.errors import CalendarNotCovered

__all__ = ["WorkCalendar", "arrangement_needed", "weekday_rule"]


def weekday_rule(day: date) -> bool:
    """Return True for Monday to Friday: the rule when nothing else is known."""
    return day.weekday() < 5


def arrangement_needed(last_confirmed: int | None, today: date, warning_days: int) -> int | None:
    """The year whose official holiday arrangement should be entered now, or None.

    From ``warning_days`` days before the last confirmed year ends (and ever
    after, while nobody enters the next one), the answer is the year after it.

    Args:
        last_confirmed: The last year with an official arrangement (None: none at all).
        today: The current date.
        warning_days: How many days before the end of the last confirmed year to warn.
    """
    if last_confirmed is None:
        return today.year
    if today >= date(last_confirmed, 12, 31) - timedelta(days=warning_days):
        return last_confirmed + 1
    return None


class WorkCalendar:
    """Working days of a set of covered years.

    Instances are immutable once built and safe to share between threads.

    Attributes:
        covered_years: The years the calendar answers for.
        provisional_years: The covered years whose rule is provisional (not an
            official arrangement).
    """

    __slots__ = ("_ordinals", "_working", "covered_years", "provisional_years")

    covered_years: frozenset[int]
    provisional_years: frozenset[int]
    _ordinals: tuple[int, ...]
    _working: frozenset[int]

    def __init__(
        self,
        is_working_day: Callable[[date], bool],
        covered_years: Iterable[int],
        provisional_years: Iterable[int] = (),
    ) -> None:
        """Build the calendar.

        Args:
            is_working_day: Tells whether a date is a working day. It is called
                once for every date of every covered year, and never again.
            covered_years: The years the rule is authoritative for.
            provisional_years: Years the rule answers for provisionally; they
                are covered too.
        """
        provisional = frozenset(provisional_years)
        years = frozenset(covered_years) | provisional
        ordinals: list[int] = []
        for year in sorted(years):
            day = date(year, 1, 1)
            one_day = timedelta(days=1)
            while day.year == year:
                if is_working_day(day):
                    ordinals.append(day.toordinal())
                day += one_day
        self.covered_years = years
        self.provisional_years = provisional
        self._ordinals = tuple(ordinals)
        self._working = frozenset(ordinals)

    @classmethod
    def from_exceptions(
        cls, exceptions: Mapping[date, bool], covered_years: Iterable[int], provisional_years: Iterable[int] = ()
    ) -> WorkCalendar:
        """Build a calendar where Monday to Friday work unless ``exceptions`` says otherwise.

        Args:
            exceptions: Dates whose status differs from (or confirms) the weekday
                rule: False for a holiday, True for a make-up workday. Dates
                outside the covered years are ignored.
            covered_years: The years the calendar answers for.
            provisional_years: Further years it answers for provisionally.

        Returns:
            The calendar.
        """

        def rule(day: date) -> bool:
            found = exceptions.get(day)
            return weekday_rule(day) if found is None else found

        return cls(rule, covered_years, provisional_years)

    def __repr__(self) -> str:
        """Show the covered years and the number of working days."""
        years = sorted(self.covered_years)
        span = f"{years[0]}..{years[-1]}" if years else "none"
        provisional = ",".join(str(y) for y in sorted(self.provisional_years)) or "none"
        return (
            f"<WorkCalendar years={span} ({len(years)}) provisional={provisional} working_days={len(self._ordinals)}>"
        )

    # ------------------------------------------------------------------ queries

    def is_working_day(self, d: date) -> bool:
        """Tell whether ``d`` is a working day.

        Raises:
            CalendarNotCovered: ``d`` is in a year the calendar does not cover.
        """
        self._check_year(d.year)
        return d.toordinal() in self._working

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after ``d``.

        Raises:
            CalendarNotCovered: ``d``'s year, or a year to cross before the next
                working day, is not covered.
        """
        return self.add_working_days(d, 1)

    def add_working_days(self, start: date, days: int) -> date:
        """Return the date on which ``days`` working days after ``start`` have passed.

        ``start`` itself does not count: one working day after a Friday is the
        next Monday (when it works). With ``days == 0`` the result is ``start``
        when it is a working day, else the next working day.

        Args:
            start: The day the count starts from.
            days: Working days to add, at least 0.

        Returns:
            The resulting working day.

        Raises:
            ValueError: ``days`` is negative.
            CalendarNotCovered: ``start``'s year, or a year reached before the
                count is done, is not covered.
        """
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        self._check_year(start.year)
        start_ordinal = start.toordinal()
        if days == 0:
            index = bisect_left(self._ordinals, start_ordinal)
            days = 1
        else:
            index = bisect_right(self._ordinals, start_ordinal)
        target = index + days - 1
        gap = self._first_uncovered_after(start.year)
        if target >= len(self._ordinals):
            raise CalendarNotCovered(gap)
        result = date.fromordinal(self._ordinals[target])
        if result.year >= gap:
            raise CalendarNotCovered(gap)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days after ``start`` up to and including ``end``.

        Args:
            start: Excluded lower bound.
            end: Included upper bound.

        Returns:
            The number of working days in ``(start, end]``; 0 when ``end <= start``.

        Raises:
            CalendarNotCovered: ``start``, ``end`` or a year between them is not covered.
        """
        low, high = min(start.year, end.year), max(start.year, end.year)
        for year in range(low, high + 1):
            self._check_year(year)
        if end <= start:
            return 0
        return bisect_right(self._ordinals, end.toordinal()) - bisect_right(self._ordinals, start.toordinal())

    def provisional_between(self, start: date, end: date) -> bool:
        """Tell whether a date counted from ``start`` to ``end`` depends on a provisional year.

        True when any year from the earlier to the later of the two dates is
        provisional: a count through such a year may change once the
        official arrangement is entered.
        """
        if not self.provisional_years:
            return False
        low, high = min(start.year, end.year), max(start.year, end.year)
        return any(low <= year <= high for year in self.provisional_years)

    # ------------------------------------------------------------------ helpers

    def _check_year(self, year: int) -> None:
        if year not in self.covered_years:
            raise CalendarNotCovered(year)

    def _first_uncovered_after(self, year: int) -> int:
        year += 1
        while year in self.covered_years:
            year += 1
        return year
