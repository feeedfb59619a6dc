"""Telling the applicant: an in-app row now, a message sent out after commit.

``notification_create`` writes the :class:`Notification` row in the caller's
transaction and enqueues the ``send_notification`` task with
``transaction.on_commit``; the task calls ``notification_send``, which hands the
message to the configured :class:`NotificationSender` (by default one that
logs; an SMS gateway can be plugged in with ``LIANBAN_NOTIFICATION_SENDER``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from lianban.cases import clock
from lianban.cases.models import Case, Notification
from lianban.common.hooks import Hook

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
    path = getattr(settings, "LIANBAN_NOTIFICATION_SENDER", "lianban.cases.notifications.LoggingSender")
    sender: NotificationSender = import_string(path)()
    return sender


#: Called with the case and the kind of each message created; what they return (text, or None) is added to
#: its end (the evaluation app adds the link to rate the service to the messages that finish a case).
MESSAGE_ENDINGS: Hook[[Case, str], str | None] = Hook("message endings")


def notification_create(*, case: Case, kind: str, message: str) -> Notification:
    """Create the in-app notification and send it out once the transaction commits.

    What the apps above add (``MESSAGE_ENDINGS``: e.g. the link to rate the service) ends the message.
    """
    message = " ".join([message, *(ending for ending in MESSAGE_ENDINGS(case, kind) if ending)])
    notification = Notification.objects.create(applicant_id=case.applicant_id, case=case, kind=kind, message=message)

    def enqueue() -> None:
        from lianban.cases.tasks import send_notification

        send_notification.enqueue(notification.pk)

    transaction.on_commit(enqueue)
    return notification


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
