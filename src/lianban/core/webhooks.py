"""Signed event delivery (Standard Webhooks): signatures, their check, the retry schedule. No Django.

A receiver may copy this module as it is: ``verify`` needs only the standard library.

- ``webhook-id``: the event's id (the same on every attempt: receivers dedupe by it);
- ``webhook-timestamp``: seconds since the epoch when this attempt was signed;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 over "id.timestamp.body">``, several
  separated by spaces while a secret is being rotated;
- the secret: ``whsec_<base64 of 24+ random bytes>``; the HMAC key is the decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret
#: Seconds a signed timestamp may be off from the receiver's clock, either way.
TOLERANCE_SECONDS = 5 * 60
#: Seconds to wait before each retry after a failed attempt (27.6 hours in all): then the delivery is dead.
DEFAULT_RETRY_SECONDS: tuple[float, ...] = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)


class WebhookVerificationError(Exception):
    """A request that is not a genuine, fresh event: refuse it (answer 400 or 401)."""


def secret_new() -> str:
    """A new subscription secret (``whsec_`` and 32 random bytes in base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret.

    Raises:
        ValueError: not ``whsec_`` followed by base64 of at least 24 bytes.
    """
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is whsec_ followed by base64") from None
    if len(key) < 24:
        raise ValueError("a webhook secret has at least 24 bytes")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 over "id.timestamp.body">``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a signed request."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    request_headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> str:
    """Check a received event; return its id (dedupe by it).

    ``request_headers`` may use any case for the header names.

    Raises:
        WebhookVerificationError: a header missing, a timestamp more than ``tolerance`` seconds
            off (a replayed or stale request), or no signature matching the body.
    """
    lower = {name.lower(): value for name, value in request_headers.items()}
    msg_id = lower.get("webhook-id", "")
    stamp = lower.get("webhook-timestamp", "")
    signatures = lower.get("webhook-signature", "")
    if not msg_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number of seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too old or in the future")
    try:
        expected = sign(secret, msg_id, timestamp, body).encode()
    except ValueError as bad_secret:
        raise WebhookVerificationError(str(bad_secret)) from None
    for candidate in signatures.split(" "):
        if candidate.startswith("v1,") and hmac.compare_digest(candidate.encode(), expected):
            return msg_id
    raise WebhookVerificationError("no matching signature")


def retry_delay(failed_attempts: int, schedule: Sequence[float] = DEFAULT_RETRY_SECONDS) -> float | None:
    """Seconds to wait after the ``failed_attempts``-th failed attempt (1 = the first); None: give up (dead)."""
    if failed_attempts < 1:
        raise ValueError("a delay follows a failed attempt")
    if failed_attempts > len(schedule):
        return None
    return float(schedule[failed_attempts - 1])


def url_problem(url: str, allowed_hosts: Sequence[str] = ()) -> str:
    """Why a callback URL may not be used ('' if it may): http/https only, a host, no credentials, an allowed host.

    ``allowed_hosts``: host names (``.example.gov.cn`` also allows its sub-domains); empty: any host.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    del port
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs"
    host = (parts.hostname or "").lower()
    if not host:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "no user or password in the URL"
    if parts.fragment:
        return "no fragment in the URL"
    if allowed_hosts and not any(_host_matches(host, allowed.lower()) for allowed in allowed_hosts):
        return "the host is not in the allowed list"
    return ""


def _host_matches(host: str, allowed: str) -> bool:
    if allowed.startswith("."):
        return host == allowed[1:] or host.endswith(allowed)
    return host == allowed


#: Public event types by the audit action that raises them (several actions may share a type).
EVENT_TYPES: dict[str, str] = {
    "case.submitted": "case.submitted",
    "case.resubmitted": "case.resubmitted",
    "case.accepted": "case.accepted",
    "case.deemed_accepted": "case.accepted",
    "case.correction_requested": "case.correction_requested",
    "case.refused": "case.refused",
    "case.withdrawn": "case.withdrawn",
    "case.issued": "case.issued",
    "item.dispatched": "item.dispatched",
    "item.taken": "item.taken",
    "item.supplement_requested": "item.supplement_requested",
    "item.supplied": "item.supplied",
    "item.approved": "item.approved",
    "item.rejected": "item.rejected",
    "item.cancelled": "item.cancelled",
}
#: Every public event type, sorted.
PUBLIC_TYPES: tuple[str, ...] = tuple(sorted(set(EVENT_TYPES.values())))
