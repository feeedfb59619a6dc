"""Supervision tables: alerts for the people who keep the working-day calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarAlert(models.Model):
    """A year the working-day calendar does not cover while cases need it (one row per year).

    Raised by the sweeps when due dates or intake deadlines cannot be
    computed; resolved by the deadline sweep once the year is covered
    (chinesecalendar updated, or the year declared in the override table).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    raised_at = models.DateTimeField(_("raised at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    item_cases = models.PositiveIntegerField(
        _("item cases without a due date"), default=0, help_text=_("As the last deadline sweep found them.")
    )
    cases = models.PositiveIntegerField(
        _("cases without an intake deadline"), default=0, help_text=_("As the last deemed-acceptance sweep found them.")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar alert")
        verbose_name_plural = _("calendar alerts")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
