"""Supervision tables: alerts for the people who keep the working-day calendar, deadline signals."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.common.append_only import AppendOnlyQuerySet


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


class SignalLevel(models.TextChoices):
    """How urgent a signal is (``lianban.core.signals``)."""

    NOTICE = "NOTICE", _("notice (提示)")
    YELLOW = "YELLOW", _("yellow card (黄牌)")
    RED = "RED", _("red card (红牌)")


class SignalSubject(models.TextChoices):
    """What a signal is about."""

    ITEM_CASE = "ITEM_CASE", _("item case")
    CASE = "CASE", _("case")
    INTAKE = "INTAKE", _("intake decision")
    PROMISE = "PROMISE", _("容缺 promise")


class AppendOnlySignal(Exception):
    """Raised on any attempt to change or delete a signal."""


class SignalQuerySet(AppendOnlyQuerySet["Signal"]):
    """Signals can be read and added, never updated or deleted."""

    refusal = AppendOnlySignal
    refused = "signals are append-only"


class Signal(models.Model):
    """A deadline signal (提示 / 黄牌 / 红牌) raised by the deadline sweep; immutable.

    One per subject, level and due date (``subject_id`` is the id of the item
    case, case or case material the ``subject`` names): running the sweep
    again adds none, a due date moved by a supplement may raise again.
    Append-only like the audit trail: ``save()`` refuses updates, deletes
    raise, and database triggers refuse UPDATE and DELETE.
    """

    level = models.CharField(_("level"), max_length=8, choices=SignalLevel.choices)
    subject = models.CharField(_("about"), max_length=10, choices=SignalSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    item_case = models.ForeignKey(
        "cases.ItemCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item case"),
    )
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member responsible"),
    )
    due_on = models.DateField(_("due on"))
    raised_at = models.DateTimeField(_("raised at"))

    objects: ClassVar[models.Manager[Signal]] = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-raised_at", "-id"]
        indexes = [
            # the lists: newest first, everyone's and one department's
            models.Index(fields=["raised_at", "id"], name="signal_raised"),
            models.Index(fields=["department", "raised_at", "id"], name="signal_dept_raised"),
            models.Index(fields=["case"], name="signal_case"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject", "subject_id", "level", "due_on"], name="signal_once"),
            models.CheckConstraint(condition=models.Q(level__in=SignalLevel.values), name="signal_level_valid"),
            models.CheckConstraint(condition=models.Q(subject__in=SignalSubject.values), name="signal_subject_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.subject}:{self.subject_id} {self.due_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a signal that exists is never saved again."""
        if not self._state.adding:
            raise AppendOnlySignal("signals are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Never."""
        raise AppendOnlySignal("signals are append-only")
