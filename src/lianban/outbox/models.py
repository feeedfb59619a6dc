"""The outbox: domain events written in the transaction of the change, and their signed delivery.

``OutboxEvent`` is the row written with the change (``services.event_publish``);
each active ``Subscription`` whose types match gets a ``Delivery`` row in the
same transaction. Workers claim deliveries (``services.delivery_claim``), send
them outside any transaction and log every ``DeliveryAttempt``.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianban.cases.models import Case, ItemCase
from lianban.common.fields import EncryptedTextField


class Subscription(models.Model):
    """A department system that receives events: its callback URL, the event types, the signing secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("callback URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, blank=True, help_text=_("Empty: every event type."))
    #: Encrypted at rest like personal data (rotated with the data keys); never logged.
    secret = EncryptedTextField(_("signing secret"), max_length=100, help_text=_("whsec_ followed by base64."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("event subscription")
        verbose_name_plural = _("event subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        """Whether this subscription receives events of ``event_type``."""
        return types_want(self.event_types, event_type)


def types_want(event_types: Collection[str], event_type: str) -> bool:
    """Whether a subscription to ``event_types`` (none: every type) receives events of ``event_type``."""
    return not event_types or event_type in event_types


class OutboxEvent(models.Model):
    """One domain event, written in the transaction of the change that raised it; the id orders them."""

    public_id = models.CharField(_("event id"), max_length=40, unique=True)
    type = models.CharField(_("event type"), max_length=64)
    occurred_at = models.DateTimeField(_("occurred at"))
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    item_case = models.ForeignKey(
        ItemCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item case")
    )
    data = models.JSONField(
        _("data"), default=dict, blank=True, help_text=_("More of the event's data; never personal data.")
    )

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"


class DeliveryState(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be sent")
    SENDING = "SENDING", _("Being sent")
    DELIVERED = "DELIVERED", _("Delivered")
    DEAD = "DEAD", _("Failed: retries exhausted")


class Delivery(models.Model):
    """One event to one subscription: sent in order per case, retried with backoff, then dead."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    #: The event's case: a delivery waits while an earlier one of the same case and subscription is not delivered.
    case_key = models.BigIntegerField(_("case"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="outbox_delivery_once")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_delivery_due"),
            models.Index(fields=["subscription", "case_key", "id"], name="outbox_delivery_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.event.public_id} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt (status code or error, how long it took)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("subscription")
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    ok = models.BooleanField(_("delivered"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "-id"], name="outbox_attempt_log")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
