"""Supervision tables: alerts for the people who keep the working-day calendar, deadline signals."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.common.append_only import AppendOnlyQuerySet, AppendOnlyRow


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


class SweepMark(models.Model):
    """What the deadline sweep last counted its stored days with (``name`` "calendar": the calendar's
    fingerprint). Kept in the database, not in the cache: a process-local or restarted cache would make every
    open case due again at each worker start."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    value = models.CharField(_("value"), max_length=500)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("sweep mark")
        verbose_name_plural = _("sweep marks")

    def __str__(self) -> str:
        return self.name


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
    TICKET = "TICKET", _("rectification ticket step")


class AppendOnlySignal(Exception):
    """Raised on any attempt to change or delete a signal."""


class Signal(AppendOnlyRow):
    """A deadline signal (提示 / 黄牌 / 红牌) raised by the deadline sweep; immutable.

    One per subject, level and due date (``subject_id`` is the id of the item
    case, case, case material or rectification ticket the ``subject`` names; ``case`` is empty for the ticket of an
    anonymous window rating, which belongs to no case): running the sweep
    again adds none, a due date moved by a supplement may raise again.
    Append-only like the audit trail: ``save()`` refuses updates, deletes
    raise, and database triggers refuse UPDATE and DELETE.
    """

    refusal = AppendOnlySignal
    refused = "signals are append-only"

    level = models.CharField(_("level"), max_length=8, choices=SignalLevel.choices)
    subject = models.CharField(_("about"), max_length=10, choices=SignalSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case (none: a step about no case)"),
    )
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

    objects: ClassVar[models.Manager[Signal]] = AppendOnlyQuerySet["Signal"].as_manager()

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


class OrderState(models.TextChoices):
    """Where a 督办 order stands (``lianban.core.orders``)."""

    OPEN = "OPEN", _("waiting to be signed for")
    SIGNED = "SIGNED", _("signed for, waiting for the reply")
    REPLIED = "REPLIED", _("replied, waiting for review")
    CLOSED = "CLOSED", _("closed")


class OrderOrigin(models.TextChoices):
    """Who raised a 督办 order."""

    SUPERVISOR = "SUPERVISOR", _("raised by a supervisor")
    RED_CARD = "RED_CARD", _("raised by a red card")
    RATING = "RATING", _("raised by a 差评 still not satisfied after rectification")


class SupervisionOrder(models.Model):
    """A 督办 order to a department about one or more cases: raised → signed → replied → reviewed → closed.

    Every step is recorded in the audit trail of each case it concerns; the
    deadline sweep reminds (催办) the department the day after a missed date
    and escalates to its leader ``LIANBAN_ORDER_ESCALATE_DAYS`` working days later.
    """

    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible department")
    )
    cases = models.ManyToManyField("cases.Case", related_name="+", verbose_name=_("cases"))
    item_case = models.ForeignKey(
        "cases.ItemCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item case"),
    )
    signal = models.OneToOneField(
        Signal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order",
        verbose_name=_("red card that raised it"),
    )
    origin = models.CharField(_("raised by"), max_length=12, choices=OrderOrigin.choices)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=8, choices=OrderState.choices, default=OrderState.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    sign_due_on = models.DateField(_("sign for by"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    reply_due_on = models.DateField(_("reply by"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("replies returned"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    urged_for = models.DateField(_("reminded (催办) about the date"), null=True, blank=True)
    urged_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_for = models.DateField(_("escalated about the date"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    #: The next day the sweep follows the order up (reminder, escalation); None: nothing owed while it waits.
    follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("supervision order (督办)")
        verbose_name_plural = _("supervision orders (督办)")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["raised_at", "id"], name="order_raised"),
            models.Index(fields=["department", "raised_at", "id"], name="order_dept_raised"),
            # the sweep's follow-ups: the orders whose next follow-up day has come
            models.Index(
                fields=["follow_up_on", "id"], name="order_follow_up", condition=models.Q(follow_up_on__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=OrderState.values), name="order_state_valid"),
            models.CheckConstraint(condition=models.Q(origin__in=OrderOrigin.values), name="order_origin_valid"),
        ]

    def __str__(self) -> str:
        return f"督办 {self.pk}"


class DepartmentLeader(models.Model):
    """Who an escalated 督办 order goes to for a department (its leader, kept by the administrators)."""

    department = models.OneToOneField(
        "catalog.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )

    class Meta:
        verbose_name = _("department leader")
        verbose_name_plural = _("department leaders")

    def __str__(self) -> str:
        return str(self.department_id)
