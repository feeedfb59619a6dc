"""Verification codes are messages: queued in the request's transaction, sent first by the worker, blanked once
handed over, failed visibly on the page, finished by receipts; the status tells nothing of the number.

Against the local Aliyun endpoint of ``tests.messaging.servers`` (nothing in the sending code is mocked).
Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

import pytest
from pytest_django.fixtures import Settings

from lianban.accounts.models import CodePurpose, PhoneCode, Role, User
from lianban.accounts.phone_codes import CodeRefused, phone_code_send
from lianban.messaging.models import REDACTED_CODE, CodeKind, Failure, Message, Purpose, Status
from lianban.messaging.selectors import code_request_state
from lianban.messaging.services import (
    codes_expire,
    codes_run,
    dispatches_run,
    message_claim,
    message_send,
    messages_run,
)
from tests.cases.kit import FrozenClock, People, submit
from tests.messaging.conftest import RECEIPT_SECRET
from tests.messaging.servers import SmsProvider
from tests.messaging.test_sending import post_receipts, sms_template

pytestmark = pytest.mark.django_db

NUMBER = "13912345678"
OTHER = "13787654321"
ADDRESS = "198.51.100.20"


@pytest.fixture(autouse=True)
def code_templates(settings: Settings) -> None:
    settings.LIANBAN_SMS_CODE_TEMPLATE = "SMS_CODE"
    settings.LIANBAN_SMS_ACCOUNT_TEMPLATE = "SMS_ACCOUNT"
    settings.LIANBAN_PHONE_CODE_LIMITS = "1/minute,5/hour,10/day"


def ask(phone: str = NUMBER, purpose: str = CodePurpose.SIGNUP, address: str = ADDRESS, **kwargs: Any) -> str:
    return phone_code_send(phone=phone, purpose=purpose, address=address, **kwargs)


def code_message(phone: str = NUMBER) -> Message:
    (message,) = [m for m in Message.objects.filter(purpose=Purpose.CODE) if m.address == phone]
    return message


def citizen(phone: str) -> User:
    return User.objects.create_user(phone, password="Lantern-Harbour-58", role=Role.APPLICANT, phone=phone)


def row_text(message: Message) -> str:
    """Every stored column of the message, as the database holds it."""
    return " ".join(str(value) for value in Message.objects.filter(pk=message.pk).values().get().values())


# ------------------------------------------------------------------ queued in the transaction, before anything is sent


def test_a_code_request_writes_one_code_message_and_a_refused_one_none() -> None:
    ask()
    request = PhoneCode.objects.get()
    message = code_message()
    assert (message.purpose, message.kind, message.channel, message.status) == (
        Purpose.CODE,
        CodeKind.CODE,
        "SMS",
        Status.CREATED,
    )
    assert message.topic == f"phonecode:{request.pk}" and message.case_id is None
    ((name, code),) = message.params
    assert name == "code" and re.fullmatch(r"\d{6}", code) and code in message.body
    assert message.created_at == message.next_attempt_at == request.created_at
    with pytest.raises(CodeRefused):
        ask(address="198.51.100.21")  # the number's limit (1 a minute)
    for i in range(5):
        ask(f"1370000000{i}", address="198.51.100.99")
    with pytest.raises(CodeRefused):
        ask("13700000009", address="198.51.100.99")  # the address's limit (5 a minute)
    assert Message.objects.filter(purpose=Purpose.CODE).count() == PhoneCode.objects.count() == 6


def test_a_code_request_rolled_back_leaves_no_message() -> None:
    def request_failing_after_the_code() -> None:
        with transaction.atomic():
            ask()
            assert Message.objects.filter(purpose=Purpose.CODE).count() == 1
            raise RuntimeError("the request failed after the code was queued")

    with pytest.raises(RuntimeError):
        request_failing_after_the_code()
    assert not Message.objects.filter(purpose=Purpose.CODE).exists() and not PhoneCode.objects.exists()


def test_the_request_asks_for_a_run_of_the_codes_once_committed(django_capture_on_commit_callbacks: Any) -> None:
    """The tests' task backend runs a task when it is enqueued: the code goes out as the request commits."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ask()
        assert code_message().status == Status.CREATED  # nothing sent inside the transaction
    assert len(callbacks) == 1
    message = code_message()
    assert (message.status, message.provider, message.params) == (Status.DELIVERED, "log", [])


# ------------------------------------------------------------------ the worker sends it first, then blanks it


def test_the_worker_sends_a_code_before_the_notices_queued_earlier(
    people: People, clock: FrozenClock, aliyun: SmsProvider
) -> None:
    sms_template()
    for _ in range(3):
        submit(people, thing="KFG")
    dispatches_run()
    notices = Message.objects.filter(purpose=Purpose.NOTICE, channel="SMS")
    assert notices.count() == 3 and all(m.next_attempt_at is not None for m in notices)
    ask()
    claimed = message_claim()
    assert claimed is not None and claimed.message_id == code_message().pk
    message_send(claimed)
    ask(OTHER)
    messages_run(budget_seconds=10)
    templates = [params["TemplateCode"] for params in aliyun.received]
    assert templates == ["SMS_CODE", "SMS_CODE", "SMS_1001", "SMS_1001", "SMS_1001"]
    assert aliyun.received[1]["PhoneNumbers"] == OTHER  # asked after the notices were queued, sent before them


def test_codes_run_sends_only_codes(people: People, clock: FrozenClock, aliyun: SmsProvider) -> None:
    sms_template()
    submit(people, thing="KFG")
    dispatches_run()
    ask()
    assert codes_run(budget_seconds=10) == 1
    assert [params["TemplateCode"] for params in aliyun.received] == ["SMS_CODE"]
    assert Message.objects.get(purpose=Purpose.NOTICE, channel="SMS").status == Status.CREATED


def test_the_code_is_blanked_once_the_provider_took_it_and_never_logged(
    aliyun: SmsProvider, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        ask()
        code = code_message().params[0][1]
        codes_run(budget_seconds=10)
    (params,) = aliyun.received
    assert json.loads(params["TemplateParam"]) == {"code": code}  # the provider got it
    message = code_message()
    assert (message.status, message.provider_ref) == (Status.SENDING, "biz-1")  # waiting for the receipt
    assert message.params == [] and f"is {REDACTED_CODE}," in message.body
    assert code not in row_text(message)
    assert code not in caplog.text and NUMBER not in caplog.text


def test_a_code_the_provider_refuses_fails_blanked(aliyun: SmsProvider) -> None:
    aliyun.script.append("isv.MOBILE_NUMBER_ILLEGAL")
    token = ask()
    code = code_message().params[0][1]
    codes_run(budget_seconds=10)
    message = code_message()
    assert (message.status, message.failure) == (Status.FAILED, Failure.PERMANENT)
    assert code not in row_text(message) and message.params == []
    assert code_request_state(token) == "failed"


def test_a_code_not_handed_over_in_time_is_late_then_fails_blanked_when_it_expires(
    aliyun: SmsProvider, settings: Settings
) -> None:
    settings.LIANBAN_PHONE_CODE_SEND_SECONDS = 30
    t0 = timezone.now()
    aliyun.script.append("isp.SYSTEM_ERROR")  # temporary: retried after 30 s
    token = ask(now=t0)
    code = code_message().params[0][1]
    codes_run(budget_seconds=10, now=t0)
    assert code_message().status == Status.SENDING and code_message().handed_at is None
    assert code_request_state(token, now=t0 + timedelta(seconds=5)) == "pending"
    assert code_request_state(token, now=t0 + timedelta(seconds=30)) == "late"
    assert codes_expire(now=t0 + timedelta(minutes=9)) == 0
    assert codes_expire(now=t0 + timedelta(minutes=10)) == 1
    message = code_message()
    assert (message.status, message.failure) == (Status.FAILED, Failure.TEMPORARY)
    assert code not in row_text(message)
    assert code_request_state(token, now=t0 + timedelta(minutes=10)) == "failed"
    assert len(aliyun.received) == 1  # the expired code was never sent again


def test_an_expired_code_is_not_sent(aliyun: SmsProvider) -> None:
    t0 = timezone.now() - timedelta(minutes=11)
    token = ask(now=t0)
    assert codes_run(budget_seconds=10) == 0
    assert aliyun.received == []
    assert code_message().status == Status.FAILED and code_request_state(token) == "failed"


# ------------------------------------------------------------------ receipts


def test_receipts_finish_code_messages_like_any_other(aliyun: SmsProvider) -> None:
    delivered, failed = ask(), ask(OTHER)
    codes_run(budget_seconds=10)
    refs = {m.address: m.provider_ref for m in Message.objects.filter(purpose=Purpose.CODE)}
    assert code_request_state(delivered) == code_request_state(failed) == "sent"  # handed over
    body = [
        {"biz_id": refs[NUMBER], "success": True, "err_code": "DELIVERED"},
        {"biz_id": refs[OTHER], "success": False, "err_code": "MOBILE_NOT_ON_SERVICE"},
    ]
    assert post_receipts("aliyun", body) == 200
    assert post_receipts("aliyun", body) == 200  # the same receipts again change nothing
    assert code_message(NUMBER).status == Status.DELIVERED
    assert (code_message(OTHER).status, code_message(OTHER).failure) == (Status.FAILED, Failure.PERMANENT)
    assert code_request_state(delivered) == "sent" and code_request_state(failed) == "failed"
    assert post_receipts("aliyun", body, secret=RECEIPT_SECRET + "x") == 403


# ------------------------------------------------------------------ the page and its status, alike for every number


def status(client: Client, token: str) -> tuple[int, dict[str, Any]]:
    response = client.get(f"/phone-code/{token}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    return response.status_code, response.json()


def token_of(client: Client, purpose: str = "signup") -> str:
    return str(client.session[f"lianban_{purpose}_code_token"])


def test_the_page_shows_a_code_the_provider_refused(aliyun: SmsProvider) -> None:
    aliyun.script.append("isv.MOBILE_NUMBER_ILLEGAL")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/signup/", {"phone": NUMBER}, follow=True, REMOTE_ADDR=ADDRESS)
    page = response.content.decode()
    assert "验证码正在发送至139****5678" in page and "正在发送验证码" in page
    token = token_of(client)
    assert status(client, token) == (
        200,
        {"state": "pending", "text": "正在发送验证码……", "final": False},
    )
    codes_run(budget_seconds=10)
    code, answer = status(client, token)
    assert (code, answer["state"], answer["final"]) == (200, "failed", True)
    assert "未能发出" in answer["text"]
    assert "验证码未能发出" in client.get("/signup/verify/").content.decode()  # and on reload, without scripts
    assert NUMBER not in json.dumps(answer, ensure_ascii=False)
    assert Client().get("/phone-code/not-a-token/").status_code == 404


def test_the_page_shows_a_code_sent(aliyun: SmsProvider) -> None:
    citizen(NUMBER)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post("/password/forgot/", {"phone": NUMBER}, REMOTE_ADDR=ADDRESS)
    codes_run(budget_seconds=10)
    assert status(client, token_of(client, "reset"))[1]["state"] == "sent"
    assert "验证码已发出" in client.get("/password/forgot/verify/").content.decode()


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param("%00", id="nul"),
        pytest.param("abc%00def", id="nul-inside"),
        pytest.param("%ED%A0%80", id="lone-surrogate"),
        pytest.param("x" * 400, id="400-characters"),
        pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id="unknown"),
    ],
)
def test_junk_for_the_status_token_answers_4xx_and_tells_nothing(junk: str) -> None:
    """The status URL is public: whatever is put in place of the token answers 4xx, never 500, and names nothing.

    A real request waits at the time (a code queued for NUMBER), so a leak of its state or number would show.
    """
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post("/signup/", {"phone": NUMBER}, REMOTE_ADDR=ADDRESS)
    real = token_of(client)
    assert status(client, real)[0] == 200  # the real one answers
    response = Client(raise_request_exception=False).get(f"/phone-code/{junk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.content.decode("utf-8", "replace")
    for secret in (NUMBER, "139****5678", real, "pending", "正在发送", "Traceback"):
        assert secret not in body
    if response.status_code == 404:
        assert response.json() == {"error": "not found"}  # the same answer as for any unknown token


def test_a_request_answered_without_a_message_looks_like_one_with_a_message(aliyun: SmsProvider) -> None:
    """A reset for a number without an account sends nothing: its status follows the queue of codes."""
    earlier = ask(OTHER, purpose=CodePurpose.RESET)  # no account either
    citizen("13600000001")
    real = ask("13600000001", purpose=CodePurpose.RESET, address="198.51.100.30")
    none = ask(NUMBER, purpose=CodePurpose.RESET, address="198.51.100.31")  # asked after a code still waiting
    assert Message.objects.filter(purpose=Purpose.CODE).count() == 1
    assert code_request_state(earlier) == "sent"  # nothing was waiting before it
    assert code_request_state(real) == code_request_state(none) == "pending"
    codes_run(budget_seconds=10)
    assert code_request_state(real) == code_request_state(none) == "sent"


def test_a_sign_up_for_a_number_with_an_account_sends_the_notice_through_its_template(
    aliyun: SmsProvider, settings: Settings
) -> None:
    citizen(NUMBER)
    token = ask()
    message = code_message()
    assert (message.kind, message.params) == (CodeKind.ACCOUNT, [])
    codes_run(budget_seconds=10)
    assert [p["TemplateCode"] for p in aliyun.received] == ["SMS_ACCOUNT"]
    assert code_request_state(token) == "sent"
    settings.LIANBAN_SMS_ACCOUNT_TEMPLATE = ""  # no template for the notice: nothing queued, the same answer
    citizen(OTHER)
    token = ask(OTHER, address="198.51.100.40")
    assert not [m for m in Message.objects.filter(purpose=Purpose.CODE) if m.address == OTHER]
    assert code_request_state(token) == "sent"
