"""Telling the applicant: an in-app row now, a message sent out after commit.

``notification_create`` writes the :class:`Notification` row in the caller's
transaction and enqueues the ``send_notification`` task with
``transaction.on_commit``; the task calls ``sending.notification_send``, which
hands the message to the configured sender (by default one that logs; an SMS
gateway can be plugged in with ``LIANBAN_NOTIFICATION_SENDER``). The imports
run one way: notifications → tasks → sending.
"""

from __future__ import annotations

from django.db import transaction

from lianban.cases.models import Case, Notification
from lianban.cases.tasks import send_notification
from lianban.common.hooks import Hook
from lianban.common.prepared import insert_row

#: Called with the case and the kind of each message created; what they return (text, or None) is added to
#: its end (the evaluation app adds the link to rate the service to the messages that finish a case).
MESSAGE_ENDINGS: Hook[[Case, str], str | None] = Hook("message endings")


def notification_create(*, case: Case, kind: str, message: str) -> Notification:
    """Create the in-app notification and send it out once the transaction commits.

    What the apps above add (``MESSAGE_ENDINGS``: e.g. the link to rate the service) ends the message.
    """
    message = " ".join([message, *(ending for ending in MESSAGE_ENDINGS(case, kind) if ending)])
    notification = Notification(applicant_id=case.applicant_id, case=case, kind=kind, message=message)
    insert_row(notification)

    def enqueue() -> None:
        send_notification.enqueue(notification.pk)

    transaction.on_commit(enqueue)
    return notification
