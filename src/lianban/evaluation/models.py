"""好差评 tables: one-time rating tokens, ratings (append-only) and the rectification tickets of 差评.

The rules are the core's (``lianban.core.evaluation``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.common.append_only import AppendOnlyQuerySet, AppendOnlyRow
from lianban.core import evaluation as rules


class RatingKind(models.TextChoices):
    SERVICE = rules.Kind.SERVICE.value, _("per service (一事一评)")
    VISIT = rules.Kind.VISIT.value, _("per visit (一次一评)")


class RatingChannel(models.TextChoices):
    PORTAL = rules.Channel.PORTAL.value, _("my cases on the portal")
    LINK = rules.Channel.LINK.value, _("link in the message")
    QR = rules.Channel.QR.value, _("QR code on the receipt")
    TABLET = rules.Channel.TABLET.value, _("window evaluator (评价器)")
    PHONE = rules.Channel.PHONE.value, _("by telephone, entered by staff")
    PAPER = rules.Channel.PAPER.value, _("on paper, entered by staff")
    SYSTEM = rules.Channel.SYSTEM.value, _("default rating")


class EnteredChannel(models.TextChoices):
    """The channels of a rating staff enter for the evaluator."""

    PHONE = rules.Channel.PHONE.value, _("by telephone, entered by staff")
    PAPER = rules.Channel.PAPER.value, _("on paper, entered by staff")


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, _("very satisfied (非常满意)")
    SATISFIED = 4, _("satisfied (满意)")
    BASICALLY_SATISFIED = 3, _("basically satisfied (基本满意)")
    DISSATISFIED = 2, _("dissatisfied (不满意)")
    VERY_DISSATISFIED = 1, _("very dissatisfied (非常不满意)")


class RatingToken(models.Model):
    """A one-time token for rating without signing in (message link, receipt QR code, window tablet).

    A case's token rates the services of the case once it is finished; a visit's token rates one window
    contact. Used once: ``used_at`` is set by the rating that spends it.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=RatingKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member at the window"),
    )
    made_at = models.DateTimeField(_("made at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating token")
        verbose_name_plural = _("rating tokens")
        indexes = [models.Index(fields=["case", "channel"], name="ratingtoken_case")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=RatingKind.values), name="ratingtoken_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(channel__in=["LINK", "QR", "TABLET"]), name="ratingtoken_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


class AppendOnlyRating(Exception):
    """Raised on any attempt to change or delete a rating."""


class Rating(AppendOnlyRow):
    """One rating (好差评) of a service or a visit; immutable, like the audit trail.

    ``service`` names what is rated (``case:<id>``, ``item:<id>``, ``visit:<token id>``, ``window:<code>:<n>``
    for an anonymous rating from a window's QR code) and ``evaluator`` who rated (``applicant:<id>``, or
    ``anonymous:<n>``): one rating per service per evaluator, enforced by a unique constraint. A 追评 is a row
    of its own pointing at the rating. An anonymous window rating has no case, is flagged ``anonymous`` and is
    counted apart.
    """

    refusal = AppendOnlyRating
    refused = "ratings are append-only"

    kind = models.CharField(_("kind"), max_length=8, choices=RatingKind.choices)
    service = models.CharField(_("service"), max_length=40)
    evaluator = models.CharField(_("evaluator"), max_length=40)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case (none: an anonymous rating of a window)"),
    )
    item_case = models.ForeignKey(
        "cases.ItemCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item case (none: the case as a whole)"),
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applicant (none: anonymous)"),
    )
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("rated department")
    )
    window = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated window (the lead department's)"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated staff member"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=RatingLevel.choices)
    indicator_version = models.CharField(_("indicator set"), max_length=16)
    indicators = models.JSONField(_("indicators"), default=list)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    token = models.ForeignKey(
        RatingToken, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("token")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by (telephone or paper)"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    is_default = models.BooleanField(_("default rating"), default=False)
    follow_up_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("追评 of"),
    )
    rated_at = models.DateTimeField(_("rated at"))

    objects: ClassVar[models.Manager[Rating]] = AppendOnlyQuerySet["Rating"].as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["case"], name="rating_case"),
            models.Index(fields=["department", "rated_at"], name="rating_dept_rated"),
            models.Index(fields=["anonymous", "department"], name="rating_anonymous_dept"),
            # the statistics: a period's ratings grouped by department, window, channel
            models.Index(fields=["rated_at", "department", "window", "channel"], name="rating_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "evaluator"], condition=models.Q(follow_up_of__isnull=True), name="rating_once"
            ),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=RatingKind.values), name="rating_kind_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=RatingChannel.values), name="rating_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.level}"

    @property
    def is_bad(self) -> bool:
        """Whether this is a 差评."""
        return rules.is_bad(self.level)


class TicketState(models.TextChoices):
    PRECHECK = rules.TicketState.PRECHECK.value, _("pre-check (预审)")
    VISIT = rules.TicketState.VISIT.value, _("return visit (回访核实)")
    RECTIFY = rules.TicketState.RECTIFY.value, _("rectification (整改)")
    FEEDBACK = rules.TicketState.FEEDBACK.value, _("feedback to the evaluator (反馈)")
    RERATE = rules.TicketState.RERATE.value, _("re-rating by the evaluator (复评)")
    CLOSED = rules.TicketState.CLOSED.value, _("closed")


class TicketFlow(models.TextChoices):
    FULL = rules.TicketFlow.FULL.value, _("the whole loop")
    ANONYMOUS = rules.TicketFlow.ANONYMOUS.value, _("anonymous rating: pre-check and rectification")


class Verdict(models.TextChoices):
    TRUE = rules.Verdict.TRUE.value, _("true (属实)")
    REASONABLE = rules.Verdict.REASONABLE.value, _("reasonable (合理)")
    MALICIOUS = rules.Verdict.MALICIOUS.value, _("malicious (恶意)")


class Rerating(models.TextChoices):
    SATISFIED = rules.Rerating.SATISFIED.value, _("satisfied (满意)")
    BASICALLY = rules.Rerating.BASICALLY.value, _("basically satisfied (基本满意)")
    DISSATISFIED = rules.Rerating.DISSATISFIED.value, _("dissatisfied (不满意)")


class RectificationTicket(models.Model):
    """The rectification of one 差评 by the unit and the person who handled the service (谁办理谁负责).

    ``flow`` names the steps it runs (``rules.TICKET_FLOWS``): the whole loop, or, for an anonymous rating of a
    window (no case, nobody to call back), 预审 → 整改 → closed.
    """

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="ticket", verbose_name=_("rating"))
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case (none: an anonymous rating of a window)"),
    )
    flow = models.CharField(_("steps"), max_length=10, choices=TicketFlow.choices, default=TicketFlow.FULL)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible department")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member responsible"),
    )
    state = models.CharField(_("state"), max_length=8, choices=TicketState.choices, default=TicketState.PRECHECK)
    opened_at = models.DateTimeField(_("opened at"))
    contact_due_on = models.DateField(_("contact and verify by"))
    rectify_due_on = models.DateField(_("rectify by"))
    verdict = models.CharField(_("pre-check finding"), max_length=10, choices=Verdict.choices, blank=True)
    precheck_note = models.TextField(_("pre-check note"), blank=True)
    call_record = models.TextField(_("call record"), blank=True)
    rectification = models.TextField(_("what was done"), blank=True)
    evidence = models.FileField(_("evidence"), max_length=300, blank=True)
    feedback = models.TextField(_("feedback to the evaluator"), blank=True)
    rerating = models.CharField(_("re-rating"), max_length=12, choices=Rerating.choices, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    order = models.ForeignKey(
        "supervision.SupervisionOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervision order (督办)"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rectification ticket")
        verbose_name_plural = _("rectification tickets")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["department", "opened_at", "id"], name="ticket_dept_opened"),
            models.Index(fields=["closed_at", "id"], name="ticket_closed", condition=models.Q(state="CLOSED")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=TicketState.values), name="ticket_state_valid"),
            # only an anonymous rating's ticket has no case, and it runs the shortened steps
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, flow=TicketFlow.FULL)
                | models.Q(case__isnull=True, flow=TicketFlow.ANONYMOUS),
                name="ticket_flow_case",
            ),
        ]

    def __str__(self) -> str:
        return f"整改 {self.pk}"


class AppealGrounds(models.TextChoices):
    WRONG = rules.AppealGrounds.WRONG.value, _("the rating is wrong (评价有误)")
    MALICIOUS = rules.AppealGrounds.MALICIOUS.value, _("the rating is malicious (恶意差评)")


class AppealState(models.TextChoices):
    PENDING = rules.AppealState.PENDING.value, _("waiting for the supervisor's decision")
    UPHELD = rules.AppealState.UPHELD.value, _("upheld: the rating is not counted")
    REJECTED = rules.AppealState.REJECTED.value, _("rejected: the rating counts")


class Appeal(models.Model):
    """The rated unit's appeal (申诉) against a 差评, with evidence, decided by a supervisor.

    The rating itself is never changed: an upheld appeal is this row's outcome, and the selectors
    leave the rating out of the statistics while it stays on the record. One appeal per 差评.
    """

    ticket = models.OneToOneField(
        RectificationTicket, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("rectification ticket")
    )
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("rating"))
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case (none: an anonymous rating of a window)"),
    )
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("appealing department")
    )
    grounds = models.CharField(_("grounds"), max_length=10, choices=AppealGrounds.choices)
    statement = models.TextField(_("statement"))
    evidence = models.FileField(_("evidence"), max_length=300)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"))
    state = models.CharField(_("state"), max_length=8, choices=AppealState.choices, default=AppealState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "filed_at", "id"], name="appeal_dept_filed"),
            models.Index(fields=["state", "filed_at", "id"], name="appeal_state_filed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=AppealState.values), name="appeal_state_valid"),
            models.CheckConstraint(condition=models.Q(grounds__in=AppealGrounds.values), name="appeal_grounds_valid"),
        ]

    def __str__(self) -> str:
        return f"申诉 {self.pk}"


class ReportState(models.TextChoices):
    PENDING = "PENDING", _("waiting to be accepted upstream")
    ACCEPTED = "ACCEPTED", _("accepted upstream")


class UpstreamReport(models.Model):
    """One rating reported to the provincial/national 好差评 system: the outbox of the upstream adapter.

    Written in the rating's transaction with the payload the adapter built then (``services.reporting``);
    a worker sends it outside any transaction and retries it, with growing delays, until it is accepted.
    """

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="upstream_report", verbose_name=_("rating")
    )
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=8, choices=ReportState.choices, default=ReportState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    accepted_at = models.DateTimeField(_("accepted upstream at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("upstream report")
        verbose_name_plural = _("upstream reports")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="report_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ReportState.values), name="report_state_valid"),
        ]

    def __str__(self) -> str:
        return f"上报 {self.rating_id} {self.state}"
