"""Sending a text message to a mobile number: the seam a real SMS provider plugs into.

``sms_send`` hands the message to the backend named by ``LIANBAN_SMS_BACKEND``
(a dotted class path, instantiated per message, with a ``send(phone, text, params)``
method that raises when the message could not be handed over; ``params`` are the
template values a provider's registered template needs, e.g. ``{"code": "123456"}``).
The default, :class:`LoggingSmsBackend`, writes the message to the log — the demo
reads the one-time codes there; ``lianban.messaging.providers.ProviderSmsBackend``
sends through the configured Aliyun or Tencent Cloud account (docs/messages.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from lianban.core.masking import mask

logger = logging.getLogger("lianban.sms")

DEFAULT_BACKEND = "lianban.accounts.sms.LoggingSmsBackend"


class SmsBackend(Protocol):
    """Delivers one text message to one mobile number."""

    def send(self, phone: str, text: str, params: Mapping[str, str] | None = None) -> None:
        """Hand the message over; raise when it could not be."""
        ...


class LoggingSmsBackend:
    """The default backend (demo, development): the message goes to the log, the number masked."""

    def send(self, phone: str, text: str, params: Mapping[str, str] | None = None) -> None:
        """Log the message."""
        logger.info("SMS to %s: %s", mask(phone, "phone"), text)


class MemorySmsBackend:
    """Keeps every message in ``outbox`` (tests read the codes there), newest last."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str, params: Mapping[str, str] | None = None) -> None:
        """Append the message."""
        self.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    """The configured backend (``LIANBAN_SMS_BACKEND``)."""
    backend: SmsBackend = import_string(getattr(settings, "LIANBAN_SMS_BACKEND", "") or DEFAULT_BACKEND)()
    return backend


def sms_send(phone: str, text: str, params: Mapping[str, str] | None = None) -> None:
    """Send ``text`` (with its template ``params``) to ``phone`` through the configured backend (raises when it fails)."""
    sms_backend().send(phone, text, params)
