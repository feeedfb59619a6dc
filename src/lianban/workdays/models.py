"""Working-day tables: the admins' overrides on top of chinesecalendar.

Write them only through ``lianban.workdays.services``: every write bumps the
calendar revision so that cached calendars in every process are rebuilt.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayOverride(models.Model):
    """One date whose status an admin sets: a holiday, a make-up workday, a local shift.

    It wins over chinesecalendar. In a year that is neither known to
    chinesecalendar nor declared in :class:`YearCoverage` it has no effect:
    that year stays uncovered.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: people work that day (make-up workday). Unticked: a rest day (holiday)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day override")
        verbose_name_plural = _("day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'work' if self.is_working_day else 'rest'}"


class YearCoverage(models.Model):
    """A year whose holidays and make-up workdays an admin has entered completely.

    For such a year that chinesecalendar does not know, Monday to Friday are
    working days and weekends rest days, except for the year's day overrides.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(1900), MaxValueValidator(2999)]
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("For example the notice the dates come from.")
    )

    class Meta:
        verbose_name = _("covered year")
        verbose_name_plural = _("covered years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarRevision(models.Model):
    """A single row whose token changes on every override write (cache invalidation)."""

    SINGLETON = 1

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")

    def __str__(self) -> str:
        return self.token
