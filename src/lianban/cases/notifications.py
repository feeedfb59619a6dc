"""Telling the applicant: the in-app row (站内信), and its messages (SMS, e-mail…) queued in the same transaction.

``notification_create`` writes the :class:`Notification` row in the caller's
transaction and calls ``NOTIFICATION_CREATED``: the messaging app registers a
function that writes the row its worker turns into messages (the outbox
pattern: nothing is lost between the commit and the sending; docs/messages.md).
"""

from __future__ import annotations

from lianban.cases.models import Case, Notification
from lianban.common.hooks import Hook
from lianban.common.prepared import insert_row

#: Called with the case and the kind of each message created; what they return (text, or None) is added to
#: its end (the evaluation app adds the link to rate the service to the messages that finish a case).
MESSAGE_ENDINGS: Hook[[Case, str], str | None] = Hook("message endings")
#: Called with each notification created, in its transaction (the messaging app queues its messages).
NOTIFICATION_CREATED: Hook[[Notification], None] = Hook("notification created")


def notification_create(*, case: Case, kind: str, message: str) -> Notification:
    """Create the in-app notification; what registered on ``NOTIFICATION_CREATED`` queues its messages.

    What the apps above add (``MESSAGE_ENDINGS``: e.g. the link to rate the service) ends the message.
    """
    message = " ".join([message, *(ending for ending in MESSAGE_ENDINGS(case, kind) if ending)])
    notification = Notification(applicant_id=case.applicant_id, case=case, kind=kind, message=message)
    insert_row(notification)
    NOTIFICATION_CREATED(notification)
    return notification
