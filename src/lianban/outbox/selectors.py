"""Reads of the outbox: subscriptions, deliveries and their log, the dead-delivery alert."""

from __future__ import annotations

from django.db.models import QuerySet

from lianban.outbox.models import Delivery, DeliveryAttempt, DeliveryState, Subscription


def subscription_list() -> QuerySet[Subscription]:
    """Every subscription, oldest first."""
    return Subscription.objects.order_by("id")


def delivery_list(*, subscription: Subscription | None = None, state: str = "") -> QuerySet[Delivery]:
    """Deliveries (of one subscription, in one state), oldest first."""
    deliveries = Delivery.objects.select_related("event", "subscription").order_by("id")
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries


def attempt_list(*, subscription: Subscription) -> QuerySet[DeliveryAttempt]:
    """The delivery log of a subscription, newest first."""
    return DeliveryAttempt.objects.filter(subscription=subscription).select_related("delivery__event").order_by("-id")


def dead_delivery_count() -> int:
    """How many deliveries gave up (the supervisor's alert until they are replayed)."""
    return Delivery.objects.filter(state=DeliveryState.DEAD).count()
