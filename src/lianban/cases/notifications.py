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

#: The messages that finish a case: they carry the link to rate the service (好差评).
RATING_INVITED = frozenset({"ISSUED", "REFUSED", "WITHDRAWN"})


def notification_create(*, case: Case, kind: str, message: str) -> Notification:
    """Create the in-app notification and send it out once the transaction commits.

    A message that finishes the case ends with the link to rate the service (a one-time token).
    """
    if kind in RATING_INVITED:
        from lianban.evaluation.services import rating_invitation

        message = f"{message} {rating_invitation(case)}"
    notification = Notification.objects.create(applicant_id=case.applicant_id, case=case, kind=kind, message=message)

    def enqueue() -> None:
        send_notification.enqueue(notification.pk)

    transaction.on_commit(enqueue)
    return notification
