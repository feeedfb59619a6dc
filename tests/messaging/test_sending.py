"""Messages through real protocols: a local Aliyun / Tencent Cloud endpoint checking signatures, a local SMTP server.

Nothing in the sending code is mocked: the worker's functions run as the worker runs them, against
servers started by the tests on this branch's ports. Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext

import pytest
from pytest_django.fixtures import Settings

from lianban.accounts.models import CodePurpose, Role
from lianban.accounts.phone_codes import CodeRefused, phone_code_send
from lianban.cases.models import Case
from lianban.messaging.models import (
    Audience,
    Channel,
    Failure,
    Message,
    MessageTemplate,
    Receipt,
    Status,
    StatusBackwards,
    TemplateVersion,
)
from lianban.messaging.services import (
    message_claim,
    message_send,
    messages_run,
    preference_set,
    receipt_items,
    receipts_accept,
    receipts_overdue,
)
from tests.cases.kit import FrozenClock, People, make_user, submit
from tests.messaging.conftest import RECEIPT_SECRET, SECRET
from tests.messaging.servers import SmsProvider, SmtpServer, free_port

pytestmark = pytest.mark.django_db

PHONE = "13800000000"  # the kit's applicant's contact phone


def sms_template(code: str = "SMS_1001", kind: str = "SUBMITTED") -> MessageTemplate:
    template = MessageTemplate.objects.get(kind=kind, channel=Channel.SMS, audience=Audience.APPLICANT)
    template.provider_template = code
    template.save()
    return template


def sms_of(case: Case) -> Message:
    return Message.objects.get(case=case, channel=Channel.SMS)


def post_receipts(provider: str, body: object, secret: str = RECEIPT_SECRET) -> int:
    response = Client().post(
        f"/messages/receipts/{provider}/{secret}/", data=json.dumps(body), content_type="application/json"
    )
    return response.status_code


# ------------------------------------------------------------------ the providers


def test_aliyun_gets_a_signed_sendsms_and_the_message_waits_for_its_receipt(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    template = sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert aliyun.refused == 0
    (params,) = aliyun.received
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == PHONE and params["TemplateCode"] == "SMS_1001"
    assert params["SignName"] == "联办测试" and params["SignatureMethod"] == "HMAC-SHA1"
    assert json.loads(params["TemplateParam"]) == {"thing": case.thing_name, "code": case.code_for_people}
    message = sms_of(case)
    assert message.status == Status.SENDING and message.provider == "aliyun" and message.provider_ref == "biz-1"
    assert message.next_attempt_at is None  # not sent again: the receipt finishes it
    assert (message.template_id, message.template_version) == (template.pk, 2)
    assert case.code_for_people in message.body
    assert params["OutId"] == str(message.pk)


def test_tencent_gets_a_tc3_signed_sendsms(people: People, clock: FrozenClock, tencent: SmsProvider) -> None:
    sms_template("1234567")
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert tencent.refused == 0
    (payload,) = tencent.received
    assert payload["PhoneNumberSet"] == [f"+86{PHONE}"] and payload["TemplateId"] == "1234567"
    assert payload["SmsSdkAppId"] == "1400000000"
    assert payload["TemplateParamSet"] == [case.thing_name, case.code_for_people]  # the template's order
    message = sms_of(case)
    assert (message.status, message.provider_ref) == (Status.SENDING, "sn-1")


@pytest.mark.parametrize("kind", ["aliyun", "tencent"])
def test_a_wrong_secret_is_refused_by_the_provider_and_the_message_fails_visibly(
    people: People, clock: FrozenClock, settings: Settings, request: pytest.FixtureRequest, kind: str
) -> None:
    provider: SmsProvider = request.getfixturevalue(kind)
    sms_template()
    settings.LIANBAN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert provider.refused == 1 and provider.received == []
    message = sms_of(case)
    assert (message.status, message.failure) == (Status.FAILED, Failure.TECHNICAL)
    assert "Signature" in message.error


def test_an_sms_template_without_its_provider_code_fails_as_technical(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert aliyun.received == []
    message = sms_of(case)
    assert (message.status, message.failure) == (Status.FAILED, Failure.TECHNICAL)
    template = MessageTemplate.objects.get(kind="SUBMITTED", channel=Channel.SMS, audience=Audience.APPLICANT)
    # the reason names the template and what to do; a final failure, never retried
    assert f"#{template.pk}" in message.error and "SUBMITTED" in message.error and "admin" in message.error
    assert message.next_attempt_at is None
    messages_run(budget_seconds=10)
    assert aliyun.received == [] and sms_of(case).attempts == message.attempts


def test_a_claim_without_a_provider_code_is_not_sent_if_the_provider_changed_meanwhile(
    people: People, clock: FrozenClock, settings: Settings, aliyun: SmsProvider
) -> None:
    settings.LIANBAN_SMS_PROVIDER = "log"  # claimed while the log provider needed no code
    case = submit(people, thing="KFG")
    from lianban.messaging.services import dispatches_run

    dispatches_run()
    claimed = message_claim()
    while claimed is not None and claimed.channel != Channel.SMS:
        claimed = message_claim()
    assert claimed is not None and claimed.provider_template == ""
    settings.LIANBAN_SMS_PROVIDER = "aliyun"
    assert message_send(claimed) == Status.FAILED
    assert aliyun.received == []  # a blank TemplateCode never reaches the provider
    message = sms_of(case)
    assert message.failure == Failure.TECHNICAL and "provider template code" in message.error


def test_the_check_lists_the_routed_sms_templates_without_a_provider_code(settings: Settings) -> None:
    from lianban.messaging.checks import sms_template_codes_check

    settings.LIANBAN_SMS_PROVIDER = "log"
    assert sms_template_codes_check(databases=["default"]) == []  # the log provider needs no code
    settings.LIANBAN_SMS_PROVIDER = "aliyun"
    settings.LIANBAN_SMS_CODE_TEMPLATE = "SMS_CODE"
    settings.LIANBAN_MESSAGE_ROUTES = {"WITHDRAWN": {"APPLICANT": ["INBOX", "EMAIL"]}}
    settings.LIANBAN_STAFF_MESSAGE_ROUTES = {
        "ORDER_ESCALATED": {"LEADER": ["SMS"]},
        "SIGNAL_RED": {"DEPARTMENT": ["EMAIL"]},
    }
    (warning,) = sms_template_codes_check(databases=["default"])
    assert warning.id == "lianban.W121"
    listed = {
        (t.kind, t.audience): t
        for t in MessageTemplate.objects.filter(channel=Channel.SMS)
        if f"#{t.pk} {t.kind}/{t.audience}" in warning.msg
    }
    assert ("SUBMITTED", Audience.APPLICANT) in listed  # not named in the routes: the applicant on every channel
    assert ("WITHDRAWN", Audience.APPLICANT) not in listed  # routed without SMS
    assert {("ORDER_ESCALATED", Audience.LEADER), ("ORDER_ESCALATED", Audience.SUPERVISOR)} <= set(listed)
    assert not any(kind == "SIGNAL_RED" for kind, _audience in listed)  # e-mail only
    for template in listed.values():
        template.provider_template = "SMS_1"
        template.save()
    assert sms_template_codes_check(databases=["default"]) == []
    settings.LIANBAN_SMS_CODE_TEMPLATE = ""
    assert [w.id for w in sms_template_codes_check(databases=["default"])] == ["lianban.W122"]


# ------------------------------------------------------------------ receipts


def test_receipts_finish_a_message_once_and_never_move_it_backwards(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    delivered = [{"phone_number": PHONE, "success": True, "err_code": "DELIVERED", "biz_id": "biz-1", "out_id": "1"}]
    assert post_receipts("aliyun", delivered) == 200
    message = sms_of(case)
    assert (message.status, message.finished_at is not None) == (Status.DELIVERED, True)
    finished = message.finished_at
    assert post_receipts("aliyun", delivered) == 200  # the same receipt again: nothing changes
    assert Receipt.objects.count() == 1
    failed = [{"phone_number": PHONE, "success": False, "err_code": "MK:0001", "biz_id": "biz-1", "out_id": "1"}]
    assert post_receipts("aliyun", failed) == 200  # a late contrary receipt is kept, the status stays
    message.refresh_from_db()
    assert (message.status, message.finished_at, message.failure) == (Status.DELIVERED, finished, "")
    assert Receipt.objects.count() == 2


def test_a_failure_receipt_fails_the_message_as_permanent(
    people: People, clock: FrozenClock, tencent: SmsProvider
) -> None:
    sms_template("1234567")
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    receipt = {"user_receive_time": "2025-03-03 10:00:05", "nationcode": "86", "mobile": PHONE}
    receipt |= {"report_status": "FAIL", "errmsg": "MN:0017", "description": "空号", "sid": "sn-1"}
    assert post_receipts("tencent", [receipt]) == 200
    message = sms_of(case)
    assert (message.status, message.failure) == (Status.FAILED, Failure.PERMANENT)
    assert "MN:0017" in message.error


def test_receipts_with_a_wrong_secret_or_provider_or_body_are_refused(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    delivered = [{"success": True, "err_code": "DELIVERED", "biz_id": "biz-1"}]
    assert post_receipts("aliyun", delivered, secret="guessed-secret") == 403
    assert post_receipts("tencent", delivered) == 404  # not the configured provider
    assert post_receipts("aliyun", {"nonsense": 1}) == 400
    assert post_receipts("aliyun", [{"success": "yes", "biz_id": "biz-1"}]) == 400
    assert Receipt.objects.count() == 0
    assert sms_of(case).status == Status.SENDING
    assert Client().get(f"/messages/receipts/aliyun/{RECEIPT_SECRET}/").status_code == 405


def test_a_receipt_that_arrives_before_the_handover_is_recorded_is_applied_then(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=0)  # makes the messages, sends nothing
    claimed = message_claim()
    assert claimed is not None and claimed.channel == Channel.SMS
    # the provider's receipt overtakes the worker (its id is the next the provider gives: biz-1)
    receipts_accept("aliyun", receipt_items("aliyun", [{"success": True, "err_code": "DELIVERED", "biz_id": "biz-1"}]))
    assert message_send(claimed) == Status.DELIVERED
    assert sms_of(case).status == Status.DELIVERED


def test_an_sms_whose_receipt_never_comes_fails_as_temporary(
    people: People, clock: FrozenClock, aliyun: SmsProvider, settings: Settings
) -> None:
    settings.LIANBAN_SMS_RECEIPT_HOURS = 72
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    message = sms_of(case)
    assert message.handed_at is not None
    assert receipts_overdue(now=message.handed_at + timedelta(hours=71)) == 0
    assert receipts_overdue(now=message.handed_at + timedelta(hours=73)) == 1
    message.refresh_from_db()
    assert (message.status, message.failure, message.error) == (
        Status.FAILED,
        Failure.TEMPORARY,
        gettext("no delivery receipt from the provider"),
    )
    receipts_accept("aliyun", receipt_items("aliyun", [{"success": True, "biz_id": "biz-1"}]))  # too late
    assert sms_of(case).status == Status.FAILED


def test_the_database_refuses_a_status_that_moves_backwards(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    receipts_accept("aliyun", receipt_items("aliyun", [{"success": True, "biz_id": "biz-1"}]))
    message = sms_of(case)
    message.status = Status.SENDING
    with pytest.raises(StatusBackwards):
        message.save()
    for status in (Status.CREATED, Status.SENDING, Status.FAILED):
        with pytest.raises(DatabaseError), transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                status=status, failure="TECHNICAL" if status == "FAILED" else ""
            )
    assert sms_of(case).status == Status.DELIVERED


# ------------------------------------------------------------------ limits, retries, crashes


def test_the_daily_cap_per_number_is_applied_before_sending(
    people: People, clock: FrozenClock, aliyun: SmsProvider, settings: Settings
) -> None:
    settings.LIANBAN_SMS_DAILY_CAP = 2
    sms_template()
    cases = [submit(people, thing="KFG") for _ in range(3)]
    messages_run(budget_seconds=10)
    assert len(aliyun.received) == 2  # the third never reached the provider
    statuses = [(sms_of(c).status, sms_of(c).failure) for c in cases]
    assert statuses.count((Status.SENDING, "")) == 2
    assert statuses.count((Status.FAILED, Failure.PERMANENT)) == 1
    assert Message.objects.filter(error__contains="daily limit").count() == 1


def test_retries_back_off_are_bounded_and_never_burn_the_quota(
    people: People, clock: FrozenClock, aliyun: SmsProvider, settings: Settings
) -> None:
    settings.LIANBAN_SMS_DAILY_CAP = 1
    sms_template()
    aliyun.script.extend(["isp.SYSTEM_ERROR", "HTTP 503"])
    first = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    message = sms_of(first)
    assert (message.status, message.attempts, message.error, message.handed_at) == (
        Status.SENDING,
        1,
        "isp.SYSTEM_ERROR",
        None,
    )
    started = timezone.now()
    assert message.next_attempt_at is not None
    assert timedelta(seconds=29) < message.next_attempt_at - started <= timedelta(seconds=31)  # the first delay
    assert message_claim() is None  # not due before its delay
    later = message.next_attempt_at + timedelta(seconds=1)
    claimed = message_claim(now=later)
    assert claimed is not None and claimed.attempt == 2
    assert message_send(claimed) == Status.SENDING
    message.refresh_from_db()
    assert message.next_attempt_at is not None and message.attempts == 2  # 503: the second delay (120 s)
    claimed = message_claim(now=message.next_attempt_at + timedelta(seconds=1))
    assert claimed is not None and message_send(claimed) == Status.SENDING
    message.refresh_from_db()
    assert (message.provider_ref, message.attempts, message.next_attempt_at) == ("biz-3", 3, None)
    assert [p["OutId"] for p in aliyun.received] == [str(message.pk)] * 3
    # three attempts, one message handed over: the cap of one counts it once, and the next notice is refused
    second = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert (sms_of(second).status, sms_of(second).failure) == (Status.FAILED, Failure.PERMANENT)
    assert len(aliyun.received) == 3


def test_temporary_failures_end_as_failed_when_the_schedule_is_exhausted(
    people: People, clock: FrozenClock, tencent: SmsProvider
) -> None:
    sms_template("1234567")
    tencent.script.extend(["InternalError.Timeout"] * 3)
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    moment = timezone.now()
    for _attempt in range(2):
        moment += timedelta(hours=1)
        claimed = message_claim(now=moment)
        assert claimed is not None
        message_send(claimed)
    message = sms_of(case)
    assert (message.status, message.failure, message.attempts) == (Status.FAILED, Failure.TEMPORARY, 3)
    assert message_claim(now=moment + timedelta(days=1)) is None


def test_a_send_killed_after_its_claim_leaves_the_message_to_be_sent_again(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=0)
    dead = message_claim()  # this worker dies before sending: its claim is committed, nothing else
    assert dead is not None and dead.channel == Channel.SMS
    message = sms_of(case)
    assert message.status == Status.SENDING and message.next_attempt_at is not None
    assert message_claim() is None  # leased: no second worker sends it meanwhile
    again = message_claim(now=message.next_attempt_at + timedelta(seconds=1))
    assert again is not None and again.message_id == dead.message_id and again.attempt == 2
    assert message_send(again) == Status.SENDING
    assert message_send(dead) == ""  # the dead worker's claim, should it come back, records nothing
    message.refresh_from_db()
    assert (message.provider_ref, message.attempts) == ("biz-1", 2)
    assert len(aliyun.received) == 1


# ------------------------------------------------------------------ e-mail


def test_mail_reaches_a_real_smtp_server(people: People, clock: FrozenClock, smtp: SmtpServer) -> None:
    people.applicant_user.email = "boss@example.cn"
    people.applicant_user.save()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    (recipients, mail), *others = smtp.mails
    assert others == [] and recipients == ["boss@example.cn"]
    assert case.code_for_people in str(mail["subject"]) and "【联办】" in str(mail["subject"])
    body = mail.get_body()
    assert body is not None and "办件编号" in body.get_content()
    message = Message.objects.get(case=case, channel=Channel.EMAIL)
    assert (message.status, message.template_version) == (Status.DELIVERED, 1)


def test_mail_refused_fails_permanently_and_a_busy_server_is_retried(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    people.applicant_user.email = "gone@example.cn"
    people.applicant_user.save()
    smtp.refuse.add("gone@example.cn")
    refused = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    message = Message.objects.get(case=refused, channel=Channel.EMAIL)
    assert (message.status, message.failure) == (Status.FAILED, Failure.PERMANENT)
    smtp.refuse.clear()
    smtp.busy.add("gone@example.cn")
    busy = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    message = Message.objects.get(case=busy, channel=Channel.EMAIL)
    assert (message.status, message.attempts) == (Status.SENDING, 1) and message.next_attempt_at is not None
    smtp.busy.clear()
    claimed = message_claim(now=message.next_attempt_at + timedelta(seconds=1))
    assert claimed is not None and message_send(claimed) == Status.DELIVERED
    assert len(smtp.mails) == 1


def test_mail_while_the_smtp_server_is_down_waits_and_is_delivered_when_it_is_back(
    people: People, clock: FrozenClock, smtp: SmtpServer, settings: Settings
) -> None:
    people.applicant_user.email = "boss@example.cn"
    people.applicant_user.save()
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is down
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    message = Message.objects.get(case=case, channel=Channel.EMAIL)
    assert message.status == Status.SENDING and message.next_attempt_at is not None
    assert "ConnectionRefused" in message.error
    settings.EMAIL_PORT = smtp.port  # back
    claimed = message_claim(now=message.next_attempt_at + timedelta(seconds=1))
    assert claimed is not None and message_send(claimed) == Status.DELIVERED
    assert len(smtp.mails) == 1


# ------------------------------------------------------------------ preferences, routes, templates, logs


def test_preferences_switch_channels_off_but_never_the_in_app_message(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    people.applicant_user.email = "boss@example.cn"
    people.applicant_user.save()
    preference_set(user=people.applicant_user, sms=False, email=False)
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert list(Message.objects.filter(case=case).values_list("channel", flat=True)) == [Channel.INBOX]
    assert smtp.mails == []
    preference_set(user=people.applicant_user, sms=True, email=True)
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    assert set(Message.objects.filter(case=case).values_list("channel", flat=True)) == {
        Channel.INBOX,
        Channel.SMS,
        Channel.EMAIL,
    }


def test_routes_send_a_kind_to_the_supervisors_and_the_handling_staff(
    people: People, clock: FrozenClock, smtp: SmtpServer, settings: Settings
) -> None:
    settings.LIANBAN_MESSAGE_ROUTES = {"SUBMITTED": {"APPLICANT": ["INBOX"], "SUPERVISOR": ["EMAIL"]}}
    boss = make_user("chief", Role.SUPERVISOR)
    boss.email = "chief@gov.example.cn"
    boss.save()
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=10)
    audiences = set(Message.objects.filter(case=case).values_list("audience", "channel"))
    assert (Audience.SUPERVISOR, Channel.EMAIL) in audiences and (Audience.APPLICANT, Channel.SMS) not in audiences
    assert [r for r, _m in smtp.mails] == [["chief@gov.example.cn"]]


def test_templates_refuse_unknown_placeholders_by_name_and_keep_their_versions() -> None:
    template = MessageTemplate.objects.get(kind="ACCEPTED", channel=Channel.SMS, audience=Audience.APPLICANT)
    template.body = "您的申请{code}已受理，请于{deadline}前领取。"
    with pytest.raises(ValidationError, match="deadline"):
        template.full_clean()
    with pytest.raises(ValidationError, match="deadline"):
        template.save()
    template.body = "您的申请{code"
    with pytest.raises(ValidationError, match="code"):
        template.full_clean()
    template.body = "您的申请{code}已受理（{{勿回复}}）。"
    template.full_clean()
    template.save()
    assert template.version == 2
    assert list(TemplateVersion.objects.filter(template=template).values_list("version", "body")) == [
        (2, template.body),
        (1, "您的申请{code}（{thing}）已受理，详情请登录联办查看。"),
    ]


def test_every_notification_kind_has_default_templates() -> None:
    from lianban.cases.models import NotificationKind

    for kind in NotificationKind.values:
        for channel, audience in [("SMS", "APPLICANT"), ("EMAIL", "APPLICANT"), ("EMAIL", "HANDLER")]:
            assert MessageTemplate.objects.filter(kind=kind, channel=channel, audience=audience).exists()


def test_no_phone_number_nor_secret_in_the_logs(
    people: People, clock: FrozenClock, aliyun: SmsProvider, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    sms_template()
    aliyun.script.append("isv.MOBILE_NUMBER_ILLEGAL")
    with caplog.at_level(logging.DEBUG):
        case = submit(people, thing="KFG")
        messages_run(budget_seconds=10)
        settings.LIANBAN_SMS_PROVIDER = "log"
        submit(people, thing="KFG")
        messages_run(budget_seconds=10)
    assert sms_of(case).failure == Failure.PERMANENT
    assert "SMS to 138" in caplog.text  # the log provider wrote its line, masked
    assert PHONE not in caplog.text and SECRET not in caplog.text


def test_verification_codes_go_through_the_provider_and_their_limits_apply_before_sending(
    aliyun: SmsProvider, settings: Settings
) -> None:
    settings.LIANBAN_SMS_CODE_TEMPLATE = "SMS_CODE"
    settings.LIANBAN_PHONE_CODE_LIMITS = "1/minute,5/hour,10/day"
    phone_code_send(phone="13700000000", purpose=CodePurpose.SIGNUP, address="10.0.0.1")
    assert aliyun.received == []  # queued in the request, sent by the worker
    messages_run(budget_seconds=10)
    (params,) = aliyun.received
    assert params["PhoneNumbers"] == "13700000000" and params["TemplateCode"] == "SMS_CODE"
    assert list(json.loads(params["TemplateParam"])) == ["code"]
    with pytest.raises(CodeRefused):
        phone_code_send(phone="13700000000", purpose=CodePurpose.SIGNUP, address="10.0.0.2")
    messages_run(budget_seconds=10)
    assert len(aliyun.received) == 1  # refused before anything was queued
