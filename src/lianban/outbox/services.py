"""Writes of the outbox: events with the change that raises them, subscriptions, claiming and sending deliveries.

Delivery, in short (docs/events.md):

1. ``event_publish`` runs inside the service's transaction (from ``cases.events.event_record``):
   the event row and one delivery row per matching subscription commit with the change, or not at all.
2. A worker claims one due delivery at a time (``delivery_claim``): ``SELECT … FOR UPDATE SKIP LOCKED``
   on PostgreSQL, SQLite's one writer at a time otherwise; only the head of each (subscription, case)
   chain is due, so events of a case arrive in order. The claim is a lease: a worker killed while
   sending leaves the row to be claimed again when the lease ends (at least once).
3. ``delivery_send`` posts the signed event outside any transaction and records the outcome,
   only if the claim is still the worker's: delivered, or retried after the next delay of the
   schedule, or dead when the schedule is exhausted (an alert for the supervisor; ``delivery_replay``).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import track_local
from lianban.cases.models import CaseEvent
from lianban.common.idempotency import command, idempotent
from lianban.common.prepared import insert_row
from lianban.core import webhooks
from lianban.outbox.models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent, Subscription, types_want

logger = logging.getLogger(__name__)

#: Seconds a claim outlives the request's timeout (the worker records the outcome within it).
LEASE_MARGIN_SECONDS = 5.0
USER_AGENT = "lianban-webhooks/1"


# ------------------------------------------------------------------ events, in the change's transaction


def _api_url(name: str, **kwargs: int) -> str:
    return f"{settings.LIANBAN_PUBLIC_URL}{reverse(name, kwargs=kwargs)}"


def event_publish(audit: CaseEvent) -> OutboxEvent | None:
    """The public event of an audit entry, with a delivery per matching subscription (None: not public).

    Runs in the transaction of the change (the case is locked by the caller), so the event
    exists exactly when the change does.
    """
    event_type = webhooks.EVENT_TYPES.get(audit.action)
    if event_type is None:
        return None
    event = OutboxEvent(
        public_id=f"evt_{uuid.uuid4().hex}",
        type=event_type,
        occurred_at=audit.at,
        case_id=audit.case_id,
        item_case_id=audit.item_case_id,
    )
    insert_row(event)
    Delivery.objects.bulk_create(
        Delivery(event=event, subscription_id=pk, case_key=audit.case_id, next_attempt_at=audit.at)
        for pk, types in active_subscriptions()
        if types_want(types, event_type)
    )
    return event


#: Topic of the notifications the subscription table's trigger sends (migration ``outbox/0002``).
SUBSCRIPTIONS_TOPIC = "subscriptions"
#: The active subscriptions as last read, kept while the subscriptions topic's epoch stands.
_ACTIVE: track_local.TopicKept[tuple[tuple[int, frozenset[str]], ...]] = track_local.TopicKept(SUBSCRIPTIONS_TOPIC)


def active_subscriptions() -> tuple[tuple[int, frozenset[str]], ...]:
    """``(id, event types)`` of every active subscription (no types: every event).

    Read for every public event, in the transaction of its change. Where the
    process listens to the database's notifications (PostgreSQL,
    ``LIANBAN_TRACK_LISTEN``) the list is kept in the process until the
    subscription table's trigger says it changed; elsewhere it is read each
    time. Either way a subscription receives the events of the changes that
    commit after its own commit has been heard (a matter of milliseconds).
    """
    return _ACTIVE.get(None, _subscriptions_read)


def _subscriptions_read() -> tuple[tuple[int, frozenset[str]], ...]:
    return tuple(
        (pk, frozenset(types or ()))
        for pk, types in Subscription.objects.filter(active=True).order_by("pk").values_list("pk", "event_types")
    )


def event_data(event: OutboxEvent) -> dict[str, Any]:
    """The event's ``data``: the ids and API URLs of its case and item case (built when sent, so the URLs
    follow ``LIANBAN_PUBLIC_URL``), and whatever the event stored."""
    data: dict[str, Any] = dict(event.data)
    if event.case_id is not None:
        data["case_id"] = event.case_id
        data["case"] = _api_url("cases-detail", case_id=event.case_id)
    if event.item_case_id is not None:
        data["item_case_id"] = event.item_case_id
        data["item_case"] = _api_url("item-cases-detail", item_case_id=event.item_case_id)
    return data


def event_body(event: OutboxEvent) -> bytes:
    """The JSON body sent for ``event`` (the same bytes on every attempt while the public URL stays)."""
    payload = {
        "id": event.public_id,
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": event_data(event),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# ------------------------------------------------------------------ subscriptions


def url_check(url: str) -> None:
    """Refuse a callback URL that is not http(s), carries credentials, or names a host not allowed.

    Raises:
        ValidationError: why, in the request's language.
    """
    problem = webhooks.url_problem(url, settings.LIANBAN_WEBHOOK_ALLOWED_HOSTS)
    if problem == "the host is not in the allowed list":
        raise ValidationError(_("This host is not among the hosts allowed for callbacks."))
    if problem:
        raise ValidationError(_("Use an http or https URL with a host and without a user name or password."))


def event_types_check(event_types: list[str]) -> None:
    """Refuse unknown event types.

    Raises:
        ValidationError: the unknown types.
    """
    unknown = sorted(set(event_types) - set(webhooks.PUBLIC_TYPES))
    if unknown:
        raise ValidationError(_("Unknown event types: %(types)s") % {"types": ", ".join(unknown)})


def _audit(actor: User | None, action: str, subscription: Subscription, **after: Any) -> None:
    from lianban.cases.events import event_record

    event_record(
        case=None,
        actor=actor,
        action=action,
        after={"subscription": subscription.pk, "name": subscription.name, **after},
    )


@command(operation="subscription.create", model=Subscription)
def subscription_create(
    *,
    actor: User | None,
    name: str,
    url: str,
    event_types: list[str],
    secret: str = "",
    idempotency_key: str | None = None,
) -> Subscription:
    """A new subscription (a new secret unless one is given); audited. The secret is never logged.

    With ``idempotency_key``, a repeat by the same actor returns the first subscription.
    """
    url_check(url)
    event_types_check(event_types)
    secret = secret or webhooks.secret_new()
    try:
        webhooks.secret_key(secret)
    except ValueError:
        raise ValidationError(_("The secret must be whsec_ followed by base64 of at least 24 bytes.")) from None
    subscription = Subscription.objects.create(
        name=name, url=url, event_types=sorted(set(event_types)), secret=secret, created_by=actor
    )
    _audit(actor, "subscription.created", subscription, url=url, event_types=subscription.event_types)
    return subscription


@transaction.atomic
def subscription_update(
    *,
    actor: User | None,
    subscription: Subscription,
    name: str | None = None,
    url: str | None = None,
    event_types: list[str] | None = None,
    active: bool | None = None,
    rotate_secret: bool = False,
) -> Subscription:
    """Change a subscription (a new secret on ``rotate_secret``); audited."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    before = {"name": subscription.name, "url": subscription.url, "event_types": subscription.event_types}
    before["active"] = subscription.active
    if url is not None:
        url_check(url)
        subscription.url = url
    if event_types is not None:
        event_types_check(event_types)
        subscription.event_types = sorted(set(event_types))
    if name is not None:
        subscription.name = name
    if active is not None:
        subscription.active = active
    if rotate_secret:
        subscription.secret = webhooks.secret_new()
    subscription.save()
    from lianban.cases.events import event_record

    event_record(
        case=None,
        actor=actor,
        action="subscription.changed",
        before={"subscription": subscription.pk, **before},
        after={
            "subscription": subscription.pk,
            "name": subscription.name,
            "url": subscription.url,
            "event_types": subscription.event_types,
            "active": subscription.active,
            "secret_rotated": rotate_secret,
        },
    )
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User | None, subscription: Subscription) -> None:
    """Remove a subscription with its deliveries and their log; audited."""
    _audit(actor, "subscription.deleted", subscription, url=subscription.url)
    subscription.delete()


# ------------------------------------------------------------------ delivery


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery a worker holds until ``lease_until``: what it needs to send it."""

    delivery_id: int
    claim: str
    attempt: int
    url: str
    secret: str
    event_id: str
    body: bytes


def _lease_seconds() -> float:
    return float(settings.LIANBAN_WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN_SECONDS


def _due(now: datetime) -> Any:
    """Deliveries that may be sent now: waiting and due, or claimed by a worker whose lease ended,
    and the first undelivered of their (subscription, case) chain."""
    earlier_undelivered = Delivery.objects.filter(
        subscription=OuterRef("subscription"), case_key=OuterRef("case_key"), id__lt=OuterRef("id")
    ).exclude(state=DeliveryState.DELIVERED)
    return (
        Delivery.objects.filter(
            Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            | Q(state=DeliveryState.SENDING, lease_until__lte=now),
            subscription__active=True,
        )
        .filter(~Exists(earlier_undelivered))
        .order_by("id")
    )


def delivery_claim() -> Claimed | None:
    """Claim the oldest due delivery for this worker (None: nothing due); the attempt is counted now.

    Two workers never hold one delivery at once: the row is locked ``FOR UPDATE SKIP LOCKED``
    (PostgreSQL) or the transaction is SQLite's only writer (``IMMEDIATE``), and the claim is
    committed before anything is sent.
    """
    with transaction.atomic():
        now = timezone.now()
        delivery = _due(now).select_for_update(skip_locked=True, of=("self",)).first()
        if delivery is None:
            return None
        claim = uuid.uuid4().hex
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENDING,
            claim=claim,
            lease_until=now + timedelta(seconds=_lease_seconds()),
            attempts=F("attempts") + 1,
        )
        event = OutboxEvent.objects.get(pk=delivery.event_id)
        subscription = Subscription.objects.get(pk=delivery.subscription_id)
        return Claimed(
            delivery_id=delivery.pk,
            claim=claim,
            attempt=delivery.attempts + 1,
            url=subscription.url,
            secret=subscription.secret,
            event_id=event.public_id,
            body=event_body(event),
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not followed (it could point anywhere: SSRF)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_signed(
    url: str, secret: str, msg_id: str, body: bytes, *, allowed_hosts: Sequence[str] = ()
) -> tuple[int | None, str]:
    """POST the JSON ``body`` to ``url``, signed with ``secret`` (Standard Webhooks headers; none when empty),
    following no redirect; the status code (None: no answer) and an error text ('' when 2xx)."""
    problem = webhooks.url_problem(url, allowed_hosts)
    if problem:
        return None, f"refused: {problem}"
    headers = webhooks.headers(secret, msg_id, int(time.time()), body) if secret else {}
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=body,
        method="POST",
        headers={**headers, "content-type": "application/json", "user-agent": USER_AGENT},
    )
    try:
        with _OPENER.open(request, timeout=settings.LIANBAN_WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return response.status, ""
    except urllib.error.HTTPError as refused:
        return refused.code, f"HTTP {refused.code}"
    except (OSError, ValueError) as failed:  # refused, reset, timed out, DNS, bad URL
        reason = getattr(failed, "reason", failed)
        return None, f"{type(failed).__name__}: {reason}"[:300]


def _post(claimed: Claimed) -> tuple[int | None, str]:
    """POST the signed event; the status code (None: no answer) and an error text ('' when 2xx)."""
    return post_signed(
        claimed.url,
        claimed.secret,
        claimed.event_id,
        claimed.body,
        allowed_hosts=settings.LIANBAN_WEBHOOK_ALLOWED_HOSTS,
    )


def delivery_send(claimed: Claimed) -> bool:
    """Send a claimed delivery and record the outcome (if the claim is still ours); True when delivered."""
    started = timezone.now()
    clock = time.monotonic()
    status, error = _post(claimed)
    duration_ms = int((time.monotonic() - clock) * 1000)
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        mine = Delivery.objects.filter(pk=claimed.delivery_id, claim=claimed.claim, state=DeliveryState.SENDING)
        delivery = mine.select_for_update().first()
        if delivery is None:
            return False  # the lease ended and another worker took it over
        DeliveryAttempt.objects.create(
            delivery=delivery,
            subscription_id=delivery.subscription_id,
            number=claimed.attempt,
            started_at=started,
            duration_ms=duration_ms,
            status_code=status,
            error=error,
            ok=ok,
        )
        now = timezone.now()
        delivery.last_status = status
        delivery.last_error = error
        delivery.claim = ""
        delivery.lease_until = None
        if ok:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = now
        else:
            delay = webhooks.retry_delay(delivery.attempts, settings.LIANBAN_WEBHOOK_RETRY_SECONDS)
            if delay is None:
                delivery.state = DeliveryState.DEAD
                delivery.dead_at = now
                logger.warning(
                    "event delivery %s to subscription %s is dead after %s attempts: %s",
                    delivery.pk,
                    delivery.subscription_id,
                    delivery.attempts,
                    error,
                )
            else:
                delivery.state = DeliveryState.PENDING
                delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save()
    return ok


def deliveries_run(*, budget_seconds: float = 30.0) -> int:
    """Claim and send due deliveries one at a time until none is due or the budget is spent; the number sent."""
    deadline = time.monotonic() + budget_seconds
    sent = 0
    while time.monotonic() < deadline:
        claimed = delivery_claim()
        if claimed is None:
            break
        sent += delivery_send(claimed)
    return sent


def delivery_replay_one(*, actor: User, delivery: Delivery, idempotency_key: str | None = None) -> tuple[Delivery, int]:
    """Replay one delivery if it is dead: the delivery and 1, or 0 when it was not dead (a repeat with the same
    ``idempotency_key`` returns the delivery and 0 without a second effect)."""
    count = 0

    def once() -> Delivery:
        nonlocal count
        count = delivery_replay(actor=actor, delivery_ids=[delivery.pk])
        return Delivery.objects.get(pk=delivery.pk)

    replayed = idempotent(actor=actor, key=idempotency_key, operation="delivery.replay", run=once, model=Delivery)
    return replayed, count


@transaction.atomic
def delivery_replay(*, actor: User | None, delivery_ids: list[int]) -> int:
    """Put dead deliveries back to be sent now, their attempts from zero; audited. The number replayed."""
    dead = list(
        Delivery.objects.select_for_update().filter(pk__in=delivery_ids, state=DeliveryState.DEAD).order_by("id")
    )
    now = timezone.now()
    for delivery in dead:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, dead_at=None
        )
    if dead:
        from lianban.cases.events import event_record

        event_record(
            case=None,
            actor=actor,
            action="delivery.replayed",
            after={"deliveries": [d.pk for d in dead]},
        )
    return len(dead)
