"""Sending a notification out (SMS, e-mail…) once it is committed: the sender and the idempotent send.

The ``send_notification`` task (``lianban.cases.tasks``) calls
``notification_send``; ``notification_create`` (``lianban.cases.notifications``)
enqueues the task. The sender is configured with
``LIANBAN_NOTIFICATION_SENDER`` (a dotted class path; by default
:class:`LoggingSender`).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from lianban.cases import clock
from lianban.cases.models import Notification

logger = logging.getLogger(__name__)


class NotificationSender(Protocol):
    """Delivers a notification outside the platform (SMS, e-mail…)."""

    def send(self, notification: Notification) -> None:
        """Deliver it; raise to have the task retried."""
        ...


class LoggingSender:
    """The default sender: writes the message to the log."""

    def send(self, notification: Notification) -> None:
        """Log the message."""
        logger.info(
            "notification %s to applicant %s about case %s: %s",
            notification.kind,
            notification.applicant_id,
            notification.case_id,
            notification.message,
        )


def notification_sender() -> NotificationSender:
    """The configured sender (``LIANBAN_NOTIFICATION_SENDER``, a dotted class path)."""
    path = getattr(settings, "LIANBAN_NOTIFICATION_SENDER", "lianban.cases.sending.LoggingSender")
    sender: NotificationSender = import_string(path)()
    return sender


@transaction.atomic
def notification_send(*, notification_id: int) -> bool:
    """Send one notification unless it was already sent (idempotent). True when sent now."""
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None or notification.sent_at is not None:
        return False
    notification_sender().send(notification)
    notification.sent_at = clock.now()
    notification.save(update_fields=["sent_at"])
    return True
