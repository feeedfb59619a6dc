"""Messages to people: templates (data, versioned), the outbox rows of each message, receipts, preferences.

A notification (``cases.Notification``: the 站内信 in the portal) gets a :class:`Dispatch` row in the
transaction that creates it (one INSERT, nothing read). A worker turns each dispatch into one
:class:`Message` per recipient and channel (``LIANBAN_MESSAGE_ROUTES``, the recipients' preferences,
the templates) and sends them (``messaging.services``); providers' receipts finish SMS messages.
A reminder to staff (supervision's 黄牌 / 红牌 and 督办 steps) is a :class:`StaffDispatch` row, written in the
change's transaction and expanded by the same worker (``LIANBAN_STAFF_MESSAGE_ROUTES``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianban.cases.models import Case, Notification, NotificationKind
from lianban.common.fields import EncryptedTextField
from lianban.core import sms_signing


class Channel(models.TextChoices):
    SMS = "SMS", _("SMS")
    EMAIL = "EMAIL", _("e-mail")
    INBOX = "INBOX", _("in-app message")


class Audience(models.TextChoices):
    APPLICANT = "APPLICANT", _("applicant")
    HANDLER = "HANDLER", _("handling staff")
    SUPERVISOR = "SUPERVISOR", _("supervisor")
    DEPARTMENT = "DEPARTMENT", _("department staff")
    LEADER = "LEADER", _("department leader")


class StaffKind(models.TextChoices):
    """What a message to staff (not an applicant's notification) is about: supervision's reminders."""

    ORDER_RAISED = "ORDER_RAISED", _("supervision order raised")
    ORDER_URGED = "ORDER_URGED", _("supervision order reminder")
    ORDER_ESCALATED = "ORDER_ESCALATED", _("supervision order escalated")
    SIGNAL_YELLOW = "SIGNAL_YELLOW", _("yellow card")
    SIGNAL_RED = "SIGNAL_RED", _("red card")


class CodeKind(models.TextChoices):
    """What an answer to a code request (``accounts.phone_codes``) is: a code, or "this number has an account"."""

    CODE = "CODE", _("verification code")
    ACCOUNT = "CODE_ACCOUNT", _("sign-up asked for a number with an account")


#: Every kind a template or a message may have: the applicants' notifications, then the staff's reminders.
MESSAGE_KINDS = [*NotificationKind.choices, *StaffKind.choices]
#: What a message may be about: the kinds of templates, then the answers to code requests (no template: their
#: texts come from the request; the provider's template codes are settings).
MESSAGE_KINDS_ALL = [*MESSAGE_KINDS, *CodeKind.choices]

#: What a verification code's digits become once the message no longer needs them.
REDACTED_CODE = "******"


#: The values a template may use, with what they hold (shown in the admin's help text and docs/messages.md).
PLACEHOLDERS: dict[str, str] = {
    "code": "tracking code of the case",
    "thing": "name of the one-thing applied for",
    "applicant": "name of the applicant",
    "message": "the in-app message's text (what the service wrote)",
    "kind": "what the message is about",
}

#: The values a staff message's template may use: nothing about the applicant but the tracking code.
STAFF_PLACEHOLDERS: dict[str, str] = {
    "code": "tracking code(s) of the case(s)",
    "order": "number of the supervision order",
    "department": "name of the department concerned",
    "due": "the date missed or due (YYYY-MM-DD)",
    "kind": "what the message is about",
}


def placeholders_for(kind: str) -> dict[str, str]:
    """The placeholders a template of ``kind`` may use (staff kinds: no applicant's data)."""
    return STAFF_PLACEHOLDERS if kind in StaffKind.values else PLACEHOLDERS


def template_check(*texts: str, allowed: dict[str, str] = PLACEHOLDERS) -> None:
    """Refuse a template text with a malformed brace or a placeholder not ``allowed`` (:data:`PLACEHOLDERS`).

    Raises:
        ValidationError: naming the placeholder.
    """
    for text in texts:
        try:
            names = sms_signing.placeholders(text)
        except ValueError as bad:
            raise ValidationError(
                _("Malformed placeholder %(placeholder)s: write {name}, or {{ and }} for a literal brace."),
                params={"placeholder": str(bad)},
                code="placeholder",
            ) from None
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise ValidationError(
                _("Unknown placeholder {%(placeholder)s}; allowed: %(allowed)s."),
                params={"placeholder": unknown[0], "allowed": ", ".join(f"{{{p}}}" for p in allowed)},
                code="placeholder",
            )


class MessageTemplate(models.Model):
    """The text of one kind of message on one channel for one audience; each save is a new version."""

    kind = models.CharField(_("kind"), max_length=16, choices=MESSAGE_KINDS)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.APPLICANT)
    subject = models.CharField(_("subject"), max_length=200, blank=True, help_text=_("E-mail only."))
    body = models.TextField(_("text"), help_text=_("Placeholders in braces, e.g. {code}, {thing}, {message}."))
    provider_template = models.CharField(
        _("SMS provider template"),
        max_length=64,
        blank=True,
        help_text=_("SMS only: the template code registered with the provider (its variables named as here)."),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "audience", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel", "audience"], name="message_template_once"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} · {self.get_audience_display()} · {self.get_channel_display()} v{self.version}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Check the placeholders; a change of a saved template counts as a new version."""
        template_check(self.body, self.subject, allowed=placeholders_for(self.kind))
        if self.pk is not None:
            self.version += 1
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)
        TemplateVersion.objects.create(
            template=self,
            version=self.version,
            subject=self.subject,
            body=self.body,
            provider_template=self.provider_template,
            saved_at=self.updated_at,
        )

    def clean(self) -> None:
        """Placeholders must be known ones (the error names the unknown one)."""
        allowed = placeholders_for(self.kind)
        try:
            template_check(self.body, allowed=allowed)
        except ValidationError as error:
            raise ValidationError({"body": error}) from None
        try:
            template_check(self.subject, allowed=allowed)
        except ValidationError as error:
            raise ValidationError({"subject": error}) from None


class TemplateVersion(models.Model):
    """A template's text as it was at one version (append-only): what every message of that version said."""

    template = models.ForeignKey(
        MessageTemplate, on_delete=models.CASCADE, related_name="versions", verbose_name=_("template")
    )
    version = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    provider_template = models.CharField(_("SMS provider template"), max_length=64, blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-version"]
        constraints = [models.UniqueConstraint(fields=["template", "version"], name="template_version_once")]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.version}"


class Dispatch(models.Model):
    """A notification whose messages are still to be made: written with it, removed when the worker made them."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="+", verbose_name=_("notification")
    )

    class Meta:
        verbose_name = _("message dispatch")
        verbose_name_plural = _("message dispatches")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.notification_id)


class StaffDispatch(models.Model):
    """A message to staff still to be made (a reminder of supervision, not an applicant's notification).

    Written in the transaction of the change that causes it; the worker resolves the recipients
    (``LIANBAN_STAFF_MESSAGE_ROUTES``: the named handler, the department's staff, its leader, the
    supervisors), makes the :class:`Message` rows and removes it. ``values`` holds the template values the
    change knew (tracking codes, order number, date), never an applicant's personal data.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=StaffKind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    topic = models.CharField(_("about"), max_length=40, blank=True)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    values = models.JSONField(_("template values"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff message dispatch")
        verbose_name_plural = _("staff message dispatches")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.topic}"


class Status(models.TextChoices):
    CREATED = "CREATED", _("created")
    SENDING = "SENDING", _("sending")
    DELIVERED = "DELIVERED", _("delivered")
    FAILED = "FAILED", _("failed")


#: The order of statuses: a message only moves to a higher rank (DELIVERED and FAILED are final).
STATUS_RANK = {Status.CREATED: 0, Status.SENDING: 1, Status.DELIVERED: 2, Status.FAILED: 2}


class Failure(models.TextChoices):
    PERMANENT = "PERMANENT", _("permanent (the address or the message was refused)")
    TEMPORARY = "TEMPORARY", _("temporary (retries exhausted)")
    TECHNICAL = "TECHNICAL", _("technical (configuration or platform error)")


class Purpose(models.TextChoices):
    NOTICE = "NOTICE", _("notice")
    CODE = "CODE", _("verification code")


class StatusBackwards(Exception):
    """A message's status would move backwards (or leave a final status)."""


class Message(models.Model):
    """One message to one recipient on one channel: the outbox row a worker sends, then receipts finish."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("notification")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MESSAGE_KINDS_ALL)
    #: What a staff message is about beyond its case, e.g. ``order:12`` (a 督办 order), or the code request a code
    #: message answers (``phonecode:7``); null for the others
    #: (nullable: adding the column keeps SQLite's status trigger, a table rebuild would drop it).
    topic = models.CharField(_("about"), max_length=40, null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices, default=Purpose.NOTICE)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    #: The address as sent (a phone number or an e-mail address), encrypted at rest; never logged unmasked.
    address = EncryptedTextField(_("address"), max_length=254, blank=True)
    #: HMAC-SM3 of the address: the per-number limits count by it.
    address_digest = models.CharField(_("address digest"), max_length=64, blank=True)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("template")
    )
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    #: ``[[name, value], …]`` in the template's order (a list: Tencent's parameters are positional, and
    #: PostgreSQL's jsonb would not keep an object's key order).
    params = models.JSONField(_("template values"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED)
    failure = models.CharField(_("failure"), max_length=10, choices=Failure.choices, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    #: When a worker may take it (again): now, after a retry's delay, or when a claim's lease ends; None: final,
    #: or waiting for the provider's receipt.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    provider = models.CharField(_("provider"), max_length=16, blank=True)
    provider_ref = models.CharField(_("provider's message id"), max_length=64, blank=True)
    #: When the provider (or the SMTP server) first took the message: it counts for the per-number limits.
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["case", "-id"], name="message_case"),
            models.Index(fields=["topic", "-id"], name="message_topic", condition=models.Q(topic__isnull=False)),
            models.Index(fields=["address_digest", "handed_at"], name="message_address_handed"),
            models.Index(fields=["provider", "provider_ref"], name="message_provider_ref"),
            # the codes go first: the due ones, and those not handed over yet (a small set)
            models.Index(
                fields=["next_attempt_at", "id"],
                name="message_code_due",
                condition=models.Q(purpose="CODE", status__in=["CREATED", "SENDING"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["CREATED", "SENDING", "DELIVERED", "FAILED"]),
                name="message_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="FAILED", failure__in=["PERMANENT", "TEMPORARY", "TECHNICAL"])
                | (~models.Q(status="FAILED") & models.Q(failure="")),
                name="message_failure_iff_failed",
            ),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_status = self.status

    def __str__(self) -> str:
        return f"{self.pk} {self.channel} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse a status that moves backwards or leaves a final status (see :data:`STATUS_RANK`); blank a
        verification code once it is handed over or the message is final (:meth:`redact`)."""
        moved = self.pk is not None and self.status != self._loaded_status
        if moved and STATUS_RANK[Status(self.status)] <= STATUS_RANK[Status(self._loaded_status)]:
            raise StatusBackwards(f"message {self.pk}: {self._loaded_status} -> {self.status}")
        if self.purpose == Purpose.CODE and (self.handed_at is not None or STATUS_RANK[Status(self.status)] == 2):
            self.redact()
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def redact(self) -> None:
        """Blank the template values (a code) and their digits in the text: ``验证码是******``."""
        for _name, value in self.params:
            if value:
                self.body = self.body.replace(str(value), REDACTED_CODE)
        self.params = []


class Receipt(models.Model):
    """A delivery receipt as a provider sent it (once: a repeat is recognised by its key and changes nothing)."""

    provider = models.CharField(_("provider"), max_length=16)
    key = models.CharField(_("receipt key"), max_length=64)
    provider_ref = models.CharField(_("provider's message id"), max_length=64)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts", verbose_name=_("message")
    )
    success = models.BooleanField(_("delivered"))
    code = models.CharField(_("code"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "key"], name="receipt_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_ref}"


class Preference(models.Model):
    """Which channels a user wants besides the in-app message box (always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    sms = models.BooleanField(_("SMS"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.user_id)
