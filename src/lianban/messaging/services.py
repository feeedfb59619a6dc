"""Writes of messaging: the dispatch row with the notification, making messages, claiming and sending them,
receipts, preferences.

In short (docs/messages.md):

1. ``dispatch_record`` runs in the transaction that creates a notification: one INSERT, nothing read.
2. The worker (``messages_run``) turns each dispatch into messages (``dispatch_expand``): the routes
   (``LIANBAN_MESSAGE_ROUTES``) say which audiences get which channels, the recipients' preferences
   and addresses and the templates are read there, never in the request. The in-app message is
   the notification itself (delivered at once).
3. ``message_claim`` takes one due message (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's single
   writer otherwise), applies the per-number daily cap *before* anything is sent, counts the attempt
   and leases it: a worker killed while sending leaves it due again when the lease ends.
4. ``message_send`` hands it to the provider or the SMTP server outside any transaction and records
   the outcome if the claim is still its own: delivered (SMTP, the log provider), sending until the
   receipt (SMS), retried after the next delay of ``LIANBAN_MESSAGE_RETRY_SECONDS`` (temporary), or failed.
5. ``receipts_accept`` applies providers' receipts once each; a status never moves backwards.

Verification codes (``accounts.phone_codes``, whose limits are applied before anything is queued) take the
same road with ``purpose`` CODE: ``code_message_queue`` writes the message in the request's transaction
(registered on ``PHONE_CODE_QUEUED``) and asks a worker to send codes at once (``codes_run``); a claim takes
due codes before any notice; the code's digits are blanked when the provider takes the message, when it
fails, or when the code expires unsent (``codes_expire``), and never logged.

Reminders to staff (supervision's signals and 督办 steps) take the same road: ``staff_message_queue`` writes a
``StaffDispatch`` in the caller's transaction, ``staff_dispatch_expand`` (worker) makes their SMS and e-mail
messages by ``LIANBAN_STAFF_MESSAGE_ROUTES``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lianban.accounts.models import Role, User
from lianban.accounts.phone_codes import CodeText
from lianban.cases.models import Case, ItemCase, Notification
from lianban.common import crypto
from lianban.common.prepared import insert_row
from lianban.core import sms_signing, webhooks
from lianban.messaging import providers
from lianban.messaging.models import (
    Audience,
    Channel,
    CodeKind,
    Dispatch,
    Failure,
    Message,
    MessageTemplate,
    Preference,
    Purpose,
    Receipt,
    StaffDispatch,
    StaffKind,
    Status,
)

logger = logging.getLogger(__name__)

#: Seconds a claim outlives the provider's or the SMTP server's timeout.
LEASE_MARGIN_SECONDS = 5.0


# ------------------------------------------------------------------ in the change's transaction


def dispatch_record(notification: Notification) -> None:
    """Queue the messages of ``notification`` (registered on ``cases.notifications.NOTIFICATION_CREATED``)."""
    insert_row(Dispatch(notification=notification))  # the INSERT built once (``common.prepared``): hot path


def staff_message_queue(
    *,
    kind: StaffKind,
    department_id: int | None,
    case: Case | None = None,
    topic: str = "",
    handler_id: int | None = None,
    leader_id: int | None = None,
    values: Mapping[str, str] | None = None,
) -> StaffDispatch:
    """Queue a message to staff about ``kind`` in the caller's transaction (one INSERT, nothing read).

    The worker resolves who gets it (``LIANBAN_STAFF_MESSAGE_ROUTES``: ``HANDLER`` the staff member named
    by ``handler_id``, else the department's staff; ``DEPARTMENT`` the department's active reviewers;
    ``LEADER`` the user named by ``leader_id``, or, when the department has no leader recorded (None), every
    active supervisor with the supervisors' template; ``SUPERVISOR`` every active supervisor). ``values`` are the
    template values the caller knows (``code``, ``order``, ``due``): never an applicant's personal data.
    """
    dispatch = StaffDispatch(
        kind=kind,
        case=case,
        topic=topic[:40],
        department_id=department_id,
        handler_id=handler_id,
        leader_id=leader_id,
        values={name: str(value) for name, value in (values or {}).items()},
    )
    dispatch.save(force_insert=True)
    return dispatch


def code_message_queue(text: CodeText) -> bool:
    """Queue the SMS answering a code request in its transaction, and a worker's run of the codes after commit.

    Registered on ``accounts.phone_codes.PHONE_CODE_QUEUED``. The account-exists notice needs the provider's
    template ``LIANBAN_SMS_ACCOUNT_TEMPLATE``: without one (and a real provider) nothing is queued, like a
    reset for a number without an account, so the page answers alike. Always True (the request was handled).
    """
    kind = CodeKind.CODE if text.kind == "code" else CodeKind.ACCOUNT
    if (
        kind == CodeKind.ACCOUNT
        and settings.LIANBAN_SMS_PROVIDER != "log"
        and not settings.LIANBAN_SMS_ACCOUNT_TEMPLATE
    ):
        logger.warning("no LIANBAN_SMS_ACCOUNT_TEMPLATE: the account-exists notice is not sent")
        return True
    Message(
        purpose=Purpose.CODE,
        kind=kind,
        topic=text.topic[:40],
        channel=Channel.SMS,
        audience=Audience.APPLICANT,
        address=text.phone,
        address_digest=_address_digest(text.phone),
        body=text.text,
        params=[[name, value] for name, value in text.params.items()],
        created_at=text.created_at,
        next_attempt_at=text.created_at,
    ).save(force_insert=True)
    transaction.on_commit(_codes_run_enqueue)
    return True


def _codes_run_enqueue() -> None:
    from lianban.messaging.tasks import send_codes

    try:
        send_codes.enqueue()
    except Exception:  # the periodic run sends it a few seconds later: never an error for the request
        logger.exception("could not enqueue the sending of a code")


# ------------------------------------------------------------------ routes, recipients, templates (worker side)


def routes() -> dict[str, dict[str, list[str]]]:
    """kind → audience → channels (``LIANBAN_MESSAGE_ROUTES``; an unnamed kind: the applicant on every channel)."""
    configured: dict[str, dict[str, list[str]]] = settings.LIANBAN_MESSAGE_ROUTES
    return configured


def channels_for(kind: str) -> dict[str, list[str]]:
    """The audiences and channels of a kind of notification."""
    return routes().get(kind) or {Audience.APPLICANT: [Channel.INBOX, Channel.SMS, Channel.EMAIL]}


def email_enabled() -> bool:
    """Whether e-mail can be sent (an SMTP server is configured, or another mail backend is)."""
    return bool(settings.EMAIL_HOST) or settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets a message: the user (None: the applicant's contact without an account), the phone, the e-mail."""

    user: User | None
    phone: str
    email: str


def _recipients(case: Case, audience: str) -> list[Recipient]:
    if audience == Audience.APPLICANT:
        user = case.submitted_by if case.submitted_by.role == Role.APPLICANT else None
        return [Recipient(user, case.applicant.contact_phone, user.email if user else "")]
    if audience == Audience.HANDLER:
        ids = {case.entered_by_id} | set(
            ItemCase.objects.filter(case=case, taken_by__isnull=False).values_list("taken_by_id", flat=True)
        )
        users = User.objects.filter(pk__in=[i for i in ids if i is not None], is_active=True).order_by("pk")
    else:
        users = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk")
    return [Recipient(user, user.phone, user.email) for user in users]


def _wanted(user: User | None, channel: str, preferences: dict[int, Preference]) -> bool:
    if user is None or channel == Channel.INBOX:
        return True
    preference = preferences.get(user.pk)
    if preference is None:
        return True
    return preference.sms if channel == Channel.SMS else preference.email


def _values(notification: Notification, case: Case) -> dict[str, str]:
    return {
        "code": case.code_for_people,
        "thing": case.thing_name,
        "applicant": case.applicant.name,
        "message": notification.message,
        "kind": str(notification.get_kind_display()),
    }


def _address_digest(address: str) -> str:
    return crypto.lookup_digest(address.strip().lower(), "messaging.address") if address else ""


def dispatch_expand(dispatch: Dispatch, now: datetime | None = None) -> list[Message]:
    """The messages of one dispatch (then the dispatch is removed and the notification marked sent out)."""
    now = now or timezone.now()
    notification = Notification.objects.select_related("case__applicant", "case__submitted_by", "case__thing").get(
        pk=dispatch.notification_id
    )
    case = notification.case
    values = _values(notification, case)
    templates = {
        (t.channel, t.audience): t for t in MessageTemplate.objects.filter(kind=notification.kind, active=True)
    }
    made: list[Message] = []
    for audience, channels in channels_for(notification.kind).items():
        recipients = _recipients(case, audience)
        preferences = {
            p.user_id: p for p in Preference.objects.filter(user_id__in=[r.user.pk for r in recipients if r.user])
        }
        for recipient in recipients:
            for channel in channels:
                message = _message_for(notification, audience, channel, recipient, templates, values, preferences, now)
                if message is not None:
                    made.append(message)
    Message.objects.bulk_create(made)
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=now)
    dispatch.delete()
    return made


def _message_for(
    notification: Notification,
    audience: str,
    channel: str,
    recipient: Recipient,
    templates: Mapping[tuple[str, str], MessageTemplate],
    values: dict[str, str],
    preferences: dict[int, Preference],
    now: datetime,
) -> Message | None:
    base = {
        "case_id": notification.case_id,
        "notification": notification,
        "kind": notification.kind,
        "channel": channel,
        "audience": audience,
        "recipient": recipient.user,
        "created_at": now,
        "next_attempt_at": now,
    }
    if channel == Channel.INBOX:
        if audience != Audience.APPLICANT:
            return None  # staff read the case in the workbench; the portal's box is the applicant's
        return Message(**base, body=notification.message, status=Status.DELIVERED, finished_at=now, handed_at=now)
    if not _wanted(recipient.user, channel, preferences):
        return None
    address = recipient.phone if channel == Channel.SMS else recipient.email
    if not address or (channel == Channel.EMAIL and not email_enabled()):
        return None
    template = templates.get((channel, audience))
    if template is None:
        logger.warning("no active %s template for %s to %s: not sent", channel, notification.kind, audience)
        return None
    names = sms_signing.placeholders(template.body)
    return Message(
        **base,
        address=address,
        address_digest=_address_digest(address),
        template=template,
        template_version=template.version,
        subject=sms_signing.render(template.subject, values),
        body=sms_signing.render(template.body, values),
        params=[[name, values.get(name, "")] for name in names],
    )


def staff_routes() -> dict[str, dict[str, list[str]]]:
    """Staff kind → audience → channels (``LIANBAN_STAFF_MESSAGE_ROUTES``; a kind not named: nobody)."""
    configured: dict[str, dict[str, list[str]]] = settings.LIANBAN_STAFF_MESSAGE_ROUTES
    return configured


def _staff_recipients(dispatch: StaffDispatch, audience: str) -> list[User]:
    active = User.objects.filter(is_active=True).order_by("pk")
    if audience == Audience.HANDLER and dispatch.handler_id is not None:
        return list(active.filter(pk=dispatch.handler_id))
    if audience in (Audience.HANDLER, Audience.DEPARTMENT):  # nobody named: the department's staff
        if dispatch.department_id is None:
            return []
        return list(active.filter(role=Role.REVIEWER, department_id=dispatch.department_id))
    if audience == Audience.LEADER and dispatch.leader_id is not None:
        return list(active.filter(pk=dispatch.leader_id))
    if audience in (Audience.LEADER, Audience.SUPERVISOR):  # no leader recorded: the supervisors instead
        return list(active.filter(role=Role.SUPERVISOR))
    return []


def staff_dispatch_expand(dispatch: StaffDispatch, now: datetime | None = None) -> list[Message]:
    """The messages of one staff dispatch, by SMS and e-mail (then the dispatch is removed).

    One message per person and channel, even when the person is in two audiences of the kind.
    """
    now = now or timezone.now()
    values = {name: str(value) for name, value in dispatch.values.items()}
    values["kind"] = str(StaffKind(dispatch.kind).label)
    if dispatch.department_id is not None:
        values["department"] = str(dispatch.department.name) if dispatch.department else ""
    templates = {(t.channel, t.audience): t for t in MessageTemplate.objects.filter(kind=dispatch.kind, active=True)}
    made: list[Message] = []
    seen: set[tuple[int, str]] = set()
    for audience, channels in staff_routes().get(dispatch.kind, {}).items():
        users = _staff_recipients(dispatch, audience)
        preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=[user.pk for user in users])}
        told = values
        if audience == Audience.LEADER and dispatch.leader_id is None:
            # no leader recorded for the department: the supervisors get it, in their words, told why
            audience = Audience.SUPERVISOR
            with translation.override(settings.LANGUAGE_CODE):  # the messages' language, whatever the thread's
                flagged = _("%(department)s (no leader recorded)") % {"department": values.get("department", "")}
            told = {**values, "department": flagged}
        for user in users:
            for channel in channels:
                if (user.pk, channel) in seen or channel == Channel.INBOX:
                    continue  # staff read the workbench: no portal message box
                message = _staff_message(dispatch, audience, channel, user, templates, told, preferences, now)
                if message is not None:
                    seen.add((user.pk, channel))
                    made.append(message)
    Message.objects.bulk_create(made)
    dispatch.delete()
    return made


def _staff_message(
    dispatch: StaffDispatch,
    audience: str,
    channel: str,
    user: User,
    templates: Mapping[tuple[str, str], MessageTemplate],
    values: dict[str, str],
    preferences: dict[int, Preference],
    now: datetime,
) -> Message | None:
    if not _wanted(user, channel, preferences):
        return None
    address = user.phone if channel == Channel.SMS else user.email
    if not address or (channel == Channel.EMAIL and not email_enabled()):
        return None
    template = templates.get((channel, audience))
    if template is None:
        logger.warning("no active %s template for %s to %s: not sent", channel, dispatch.kind, audience)
        return None
    names = sms_signing.placeholders(template.body)
    return Message(
        case_id=dispatch.case_id,
        topic=dispatch.topic or None,
        kind=dispatch.kind,
        channel=channel,
        audience=audience,
        recipient=user,
        created_at=now,
        next_attempt_at=now,
        address=address,
        address_digest=_address_digest(address),
        template=template,
        template_version=template.version,
        subject=sms_signing.render(template.subject, values),
        body=sms_signing.render(template.body, values),
        params=[[name, values.get(name, "")] for name in names],
    )


def dispatches_run(*, limit: int = 100) -> int:
    """Make the messages of up to ``limit`` dispatches and of up to ``limit`` staff dispatches; the number made."""
    made = 0
    for pk in list(Dispatch.objects.order_by("id").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            dispatch = Dispatch.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if dispatch is not None:
                made += len(dispatch_expand(dispatch))
    for pk in list(StaffDispatch.objects.order_by("id").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            staff = (
                StaffDispatch.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("department")
                .filter(pk=pk)
                .first()
            )
            if staff is not None:
                made += len(staff_dispatch_expand(staff))
    return made


# ------------------------------------------------------------------ sending


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message a worker holds until its lease ends: what it needs to send it."""

    message_id: int
    claim: str
    attempt: int
    channel: str
    address: str
    subject: str
    body: str
    params: dict[str, str]
    provider_template: str


def _lease_seconds() -> float:
    timeout = max(float(settings.LIANBAN_SMS_TIMEOUT_SECONDS), float(settings.EMAIL_TIMEOUT or 10))
    return timeout + LEASE_MARGIN_SECONDS


def _fail(message: Message, failure: str, error: str, now: datetime) -> None:
    message.status = Status.FAILED
    message.failure = failure
    message.error = error[:300]
    message.finished_at = now
    message.next_attempt_at = None
    message.claim = ""
    message.save()
    logger.warning("message %s failed (%s): %s", message.pk, failure, error)


def _over_daily_cap(message: Message, now: datetime) -> bool:
    cap = int(settings.LIANBAN_SMS_DAILY_CAP)
    if message.channel != Channel.SMS or message.purpose != Purpose.NOTICE or cap <= 0:
        return False
    handed = Message.objects.filter(
        address_digest=message.address_digest,
        channel=Channel.SMS,
        purpose=Purpose.NOTICE,
        handed_at__gt=now - timedelta(days=1),
    ).exclude(pk=message.pk)
    return handed.count() >= cap


def _next_due(now: datetime, *, codes_only: bool) -> Message | None:
    """The oldest due code, else (unless ``codes_only``) the oldest due message; locked, skipping locked ones."""
    due = Message.objects.filter(status__in=[Status.CREATED, Status.SENDING], next_attempt_at__lte=now)
    ordered = due.order_by("next_attempt_at", "id").select_for_update(skip_locked=True)
    code = ordered.filter(purpose=Purpose.CODE).first()
    if code is not None or codes_only:
        return code
    return ordered.first()


def _code_expired(message: Message, now: datetime) -> bool:
    return message.created_at <= now - timedelta(minutes=int(settings.LIANBAN_PHONE_CODE_MINUTES))


def _provider_template(message: Message) -> str:
    """The provider's template code of a message: its template's, or for a code the setting of its kind."""
    if message.purpose == Purpose.CODE:
        if message.kind == CodeKind.CODE:
            return str(settings.LIANBAN_SMS_CODE_TEMPLATE)
        return str(settings.LIANBAN_SMS_ACCOUNT_TEMPLATE)
    return message.template.provider_template if message.template is not None else ""


def message_claim(now: datetime | None = None, *, codes_only: bool = False) -> Claimed | None:
    """Claim the oldest due message for this worker (None: nothing due); the attempt is counted now.

    Due verification codes go before every other message (``codes_only``: only they). The per-number daily
    cap of SMS notices is applied here, before anything is sent: a message over it fails (permanent)
    without reaching the provider, and retries of one message count once. A code whose validity ended
    before it could be sent fails (temporary) without being sent.
    """
    while True:
        with transaction.atomic():
            now = now or timezone.now()
            message = _next_due(now, codes_only=codes_only)
            if message is None:
                return None
            if _over_daily_cap(message, now):
                _fail(message, Failure.PERMANENT, _("daily limit of messages to this number reached"), now)
                continue
            if message.purpose == Purpose.CODE and message.handed_at is None and _code_expired(message, now):
                _fail(message, Failure.TEMPORARY, _("the code expired before it could be sent"), now)
                continue
            template = _provider_template(message)
            if message.channel == Channel.SMS and settings.LIANBAN_SMS_PROVIDER != "log" and not template:
                # the provider sends registered templates only: final, never retried, and saying what to do
                _fail(message, Failure.TECHNICAL, _no_provider_code(message.template), now)
                continue
            message.status = Status.SENDING
            message.claim = uuid.uuid4().hex
            message.attempts = F("attempts") + 1
            message.next_attempt_at = now + timedelta(seconds=_lease_seconds())
            message.save()
            message.refresh_from_db(fields=["attempts"])
            return Claimed(
                message_id=message.pk,
                claim=message.claim,
                attempt=message.attempts,
                channel=message.channel,
                address=message.address,
                subject=message.subject,
                body=message.body,
                params={str(name): str(value) for name, value in message.params},
                provider_template=template,
            )


def _email_send(claimed: Claimed) -> providers.SendResult:
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT or 10)
        EmailMessage(
            subject=claimed.subject,
            body=claimed.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[claimed.address],
            connection=connection,
        ).send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _text in refused.recipients.values()]
        temporary = all(400 <= code < 500 for code in codes)
        return providers.SendResult(providers.TEMPORARY if temporary else providers.PERMANENT, code=f"SMTP {codes}")
    except smtplib.SMTPAuthenticationError as refused:
        return providers.SendResult(providers.TECHNICAL, code=f"SMTP {refused.smtp_code} authentication")
    except smtplib.SMTPResponseException as refused:
        outcome = providers.TEMPORARY if 400 <= refused.smtp_code < 500 else providers.PERMANENT
        return providers.SendResult(outcome, code=f"SMTP {refused.smtp_code}")
    except (smtplib.SMTPException, OSError) as failed:  # refused, reset, timed out, disconnected
        return providers.SendResult(providers.TEMPORARY, code=type(failed).__name__)
    return providers.SendResult(providers.ACCEPTED, delivered=True)


def _no_provider_code(template: MessageTemplate | None) -> str:
    """Why an SMS cannot be sent: its template has no provider template code (and what to do about it)."""
    if template is None:
        return _("the template has no SMS provider template code")
    return _(
        "the SMS template #%(id)s (%(kind)s, %(audience)s) has no provider template code: register it with the "
        "SMS provider and enter the code in the admin (message templates)"
    ) % {"id": template.pk, "kind": template.kind, "audience": template.audience}


def _sms_send(claimed: Claimed) -> tuple[str, providers.SendResult]:
    provider = providers.sms_provider()
    if not claimed.provider_template and provider.name != "log":  # claimed before the setting changed
        return provider.name, providers.SendResult(providers.TECHNICAL, code=_no_provider_code(None))
    try:
        result = provider.send(
            phone=claimed.address,
            template=claimed.provider_template,
            params=claimed.params,
            text=claimed.body,
            out_id=str(claimed.message_id),
        )
    except Exception as failed:  # a bug or an unexpected answer: visible, never a lost message
        logger.exception("SMS provider %s raised", provider.name)
        result = providers.SendResult(providers.TECHNICAL, code=type(failed).__name__)
    return provider.name, result


def message_send(claimed: Claimed) -> str:
    """Send a claimed message and record the outcome (if the claim is still ours); the message's status.

    "" when the claim is no longer ours (its lease ended and another worker took the message over).
    """
    mine = Message.objects.filter(pk=claimed.message_id, claim=claimed.claim, status=Status.SENDING)
    if not mine.exists():
        return ""
    provider_name = ""
    if claimed.channel == Channel.EMAIL:
        result = _email_send(claimed)
    else:
        provider_name, result = _sms_send(claimed)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=claimed.message_id, claim=claimed.claim, status=Status.SENDING)
            .first()
        )
        if message is None:
            return ""  # the lease ended and another worker took it over (or a receipt finished it)
        now = timezone.now()
        message.claim = ""
        if result.outcome == providers.ACCEPTED:
            message.handed_at = message.handed_at or now
            message.provider = provider_name
            message.provider_ref = result.ref[:64]
            message.error = ""
            message.next_attempt_at = None
            if result.delivered:
                message.status = Status.DELIVERED
                message.finished_at = now
            message.save()
            if provider_name and message.status == Status.SENDING:
                _receipts_apply(
                    message, Receipt.objects.filter(provider=provider_name, provider_ref=message.provider_ref)
                )
        elif result.outcome == providers.TEMPORARY:
            delay = webhooks.retry_delay(message.attempts, settings.LIANBAN_MESSAGE_RETRY_SECONDS)
            if delay is None:
                _fail(
                    message,
                    Failure.TEMPORARY,
                    _("%(code)s (after %(attempts)d attempts)") % {"code": result.code, "attempts": message.attempts},
                    now,
                )
            else:
                message.error = result.code[:300]
                message.next_attempt_at = now + timedelta(seconds=delay)
                message.save()
        else:
            _fail(
                message,
                Failure.PERMANENT if result.outcome == providers.PERMANENT else Failure.TECHNICAL,
                result.code,
                now,
            )
        return message.status


def receipts_overdue(now: datetime | None = None) -> int:
    """Fail (temporary) the SMS messages whose receipt has not come ``LIANBAN_SMS_RECEIPT_HOURS`` after the
    provider took them (providers give up reporting after 72 hours); the number failed."""
    now = now or timezone.now()
    overdue = Message.objects.filter(
        status=Status.SENDING,
        next_attempt_at__isnull=True,
        handed_at__lt=now - timedelta(hours=settings.LIANBAN_SMS_RECEIPT_HOURS),
    )
    failed = 0
    for pk in list(overdue.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            message = overdue.select_for_update(skip_locked=True).filter(pk=pk).first()
            if message is not None:
                _fail(message, Failure.TEMPORARY, _("no delivery receipt from the provider"), now)
                failed += 1
    return failed


def codes_expire(now: datetime | None = None) -> int:
    """Fail (temporary) the code messages not handed over when their code expired (waiting for a retry, or
    claimed by a worker that died): the code is blanked; the number failed."""
    now = now or timezone.now()
    expired = Message.objects.filter(
        purpose=Purpose.CODE,
        status__in=[Status.CREATED, Status.SENDING],
        handed_at__isnull=True,
        created_at__lte=now - timedelta(minutes=int(settings.LIANBAN_PHONE_CODE_MINUTES)),
    )
    failed = 0
    for pk in list(expired.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            message = expired.select_for_update(skip_locked=True).filter(pk=pk).first()
            if message is not None:
                _fail(message, Failure.TEMPORARY, _("the code expired before it could be sent"), now)
                failed += 1
    return failed


def _send_due(deadline: float, *, codes_only: bool, now: datetime | None = None) -> int:
    sent = 0
    while time.monotonic() < deadline:
        claimed = message_claim(now, codes_only=codes_only)
        if claimed is None:
            break
        sent += bool(message_send(claimed) in (Status.DELIVERED, Status.SENDING))
    return sent


def codes_run(*, budget_seconds: float = 10.0, now: datetime | None = None) -> int:
    """Send the verification codes due (at ``now``), and only them, until none is due or the budget is spent;
    how many were handed over."""
    return _send_due(time.monotonic() + budget_seconds, codes_only=True, now=now)


def messages_run(*, budget_seconds: float = 30.0) -> int:
    """Send due codes first, make the messages of waiting dispatches, fail those whose receipt never came or
    whose code expired, then send due messages (codes before notices) until none is due or the budget is
    spent; the number of messages sent (handed over)."""
    deadline = time.monotonic() + budget_seconds
    sent = _send_due(deadline, codes_only=True)
    dispatches_run()
    receipts_overdue()
    codes_expire()
    return sent + _send_due(deadline, codes_only=False)


# ------------------------------------------------------------------ receipts


@dataclass(frozen=True, slots=True)
class ReceiptItem:
    """One receipt as read from a provider's callback: the provider's message id, delivered or not, the code."""

    ref: str
    success: bool
    code: str
    key: str


def _key(item: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def receipt_items(provider: str, payload: Any) -> list[ReceiptItem]:
    """Parse a provider's receipt callback (a JSON list: Aliyun's SmsReport, Tencent's 短信下发状态).

    Raises:
        ValueError: not a list of receipts of this provider.
    """
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or len(payload) > 1000:
        raise ValueError("a receipt callback is a JSON list of at most 1000 receipts")
    items = []
    for entry in payload:
        if not isinstance(entry, dict):
            raise ValueError("a receipt is a JSON object")
        if provider == "aliyun":
            ref, success, code = entry.get("biz_id"), entry.get("success"), entry.get("err_code", "")
        elif provider == "tencent":
            ref, status, code = entry.get("sid"), entry.get("report_status"), entry.get("errmsg", "")
            success = status == "SUCCESS" if status in ("SUCCESS", "FAIL") else None
        else:
            raise ValueError("unknown provider")
        if not isinstance(ref, str) or not ref or len(ref) > 64 or not isinstance(success, bool):
            raise ValueError("a receipt names the message id and whether it was delivered")
        items.append(ReceiptItem(ref=ref, success=success, code=str(code)[:64], key=_key(entry)))
    return items


def _receipts_apply(message: Message, receipts: Iterable[Receipt]) -> None:
    """Finish a sending message by its receipts (the first final one wins; later ones change nothing)."""
    for receipt in receipts:
        if receipt.message_id is None:
            Receipt.objects.filter(pk=receipt.pk).update(message=message)
        if message.status != Status.SENDING:
            continue
        now = timezone.now()
        if receipt.success:
            message.status = Status.DELIVERED
            message.finished_at = now
            message.next_attempt_at = None
            message.save()
        else:
            _fail(message, Failure.PERMANENT, _("delivery receipt: %(code)s") % {"code": receipt.code}, now)


@transaction.atomic
def receipts_accept(provider: str, items: list[ReceiptItem]) -> int:
    """Record receipts once each and finish their messages; the number of receipts new to us.

    A receipt seen before (same content) changes nothing; one for a message already delivered or
    failed is kept but changes nothing (a status never moves backwards); one for a message whose
    handover is not recorded yet is applied when it is.
    """
    new = 0
    for item in items:
        receipt, created = Receipt.objects.get_or_create(
            provider=provider,
            key=item.key,
            defaults={"provider_ref": item.ref, "success": item.success, "code": item.code},
        )
        if not created:
            continue
        new += 1
        message = (
            Message.objects.select_for_update().filter(provider=provider, provider_ref=item.ref).order_by("id").first()
        )
        if message is not None:
            _receipts_apply(message, [receipt])
    return new


# ------------------------------------------------------------------ preferences


@transaction.atomic
def preference_set(*, user: User, sms: bool, email: bool) -> Preference:
    """Set which channels ``user`` wants (the in-app box is always on); audited."""
    from lianban.cases.events import event_record

    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    before = {"sms": preference.sms, "email": preference.email}
    preference.sms, preference.email = sms, email
    preference.save()
    event_record(
        case=None, actor=user, action="message.preferences_changed", before=before, after={"sms": sms, "email": email}
    )
    return preference
