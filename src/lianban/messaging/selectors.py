"""Reads of messaging: a case's (or a 督办 order's) messages for the staff, a user's channel preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from lianban.accounts.models import User
from lianban.accounts.phone_codes import phone_code_of_token
from lianban.core.masking import mask
from lianban.messaging.models import Audience, Channel, Message, MessageTemplate, Preference, Purpose, Status

#: How many of a case's messages the case page lists (newest first).
CASE_PAGE_MESSAGES = 50


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message as the case page shows it: the address masked."""

    created_at: datetime
    kind: str
    audience: str
    channel: str
    address: str
    status: str
    status_code: str
    failure: str
    error: str
    attempts: int
    template_version: int | None


def case_message_rows(case_id: int) -> list[MessageRow]:
    """The newest :data:`CASE_PAGE_MESSAGES` messages about a case for the staff (one query)."""
    return _rows(Message.objects.filter(case_id=case_id))


def topic_message_rows(topic: str) -> list[MessageRow]:
    """The newest :data:`CASE_PAGE_MESSAGES` messages filed under ``topic`` (e.g. a 督办 order; one query)."""
    return _rows(Message.objects.filter(topic=topic))


def _rows(messages: QuerySet[Message]) -> list[MessageRow]:
    return [
        MessageRow(
            created_at=m.created_at,
            kind=m.get_kind_display(),
            audience=m.get_audience_display(),
            channel=m.get_channel_display(),
            address=masked_address(m),
            status=m.get_status_display(),
            status_code=m.status,
            failure=m.get_failure_display() if m.failure else "",
            error=m.error,
            attempts=m.attempts,
            template_version=m.template_version,
        )
        for m in messages.order_by("-id")[:CASE_PAGE_MESSAGES]
    ]


#: What the page tells of a code request: being sent, handed to the provider (or delivered), failed, or
#: not handed over ``LIANBAN_PHONE_CODE_SEND_SECONDS`` after it was asked for.
CODE_PENDING, CODE_SENT, CODE_FAILED, CODE_LATE = "pending", "sent", "failed", "late"


def code_request_state(token: str, now: datetime | None = None) -> str | None:
    """Where the answer to a code request is (None: no request has this status token). Two queries at most.

    It tells nothing of the number: a request answered with no message (a reset for a number without an
    account) is ``pending`` while a code asked for before it still waits to be handed over, as its own
    message would, and ``sent`` after.
    """
    request = phone_code_of_token(token)
    if request is None:
        return None
    now = now or timezone.now()
    message = Message.objects.filter(topic=f"phonecode:{request.pk}").order_by("-id").first()
    if message is None:
        waiting = Message.objects.filter(
            purpose=Purpose.CODE,
            status__in=[Status.CREATED, Status.SENDING],
            handed_at__isnull=True,
            created_at__lte=request.created_at,
            created_at__gt=request.created_at - timedelta(minutes=int(settings.LIANBAN_PHONE_CODE_MINUTES)),
        ).exists()
        state = CODE_PENDING if waiting else CODE_SENT
    elif message.status == Status.FAILED:
        state = CODE_FAILED
    elif message.status == Status.DELIVERED or message.handed_at is not None:
        state = CODE_SENT
    else:
        state = CODE_PENDING
    late = now - request.created_at >= timedelta(seconds=int(settings.LIANBAN_PHONE_CODE_SEND_SECONDS))
    return CODE_LATE if state == CODE_PENDING and late else state


def preference_of(user: User) -> Preference:
    """The user's preference (the defaults, unsaved, when never set)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def masked_address(message: Message) -> str:
    """The message's address for people and logs: masked."""
    return mask(message.address, "phone" if message.channel == Channel.SMS else "email")


def sms_routed() -> set[tuple[str, str]]:
    """(kind, template audience) of every message the routes send by SMS (applicants' and staff's).

    A notification kind the routes do not name goes to the applicant on every channel; a staff
    ``LEADER`` audience with no leader recorded uses the supervisors' template, so both are listed.
    """
    from lianban.cases.models import NotificationKind
    from lianban.messaging.services import channels_for, staff_routes

    routed: set[tuple[str, str]] = set()
    for kind in NotificationKind.values:
        for audience, channels in channels_for(kind).items():
            if Channel.SMS in channels:
                routed.add((kind, audience))
    for kind, audiences in staff_routes().items():
        for audience, channels in audiences.items():
            if Channel.SMS in channels:
                routed.add((kind, audience))
                if audience == Audience.LEADER:
                    routed.add((kind, Audience.SUPERVISOR))
    return routed


def sms_templates_without_code() -> list[MessageTemplate]:
    """The active SMS templates a route uses that have no provider template code (one statement)."""
    routed = sms_routed()
    blank = MessageTemplate.objects.filter(channel=Channel.SMS, active=True, provider_template="")
    return [t for t in blank.order_by("kind", "audience") if (t.kind, t.audience) in routed]
