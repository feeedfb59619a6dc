"""A real ``lianban worker`` killed while the SMS provider holds its request: the message is sent again, nothing lost.

Transactional (the worker processes read committed rows); the provider is the local signed-request
server of ``tests.messaging.servers``. Waits are bounded; nothing asserts how long anything took.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lianban.messaging.models import Audience, Channel, Message, MessageTemplate, Status
from lianban.messaging.services import receipt_items, receipts_accept
from tests.cases.kit import People, submit
from tests.deploy.stack import wait_for
from tests.messaging.conftest import KEY_ID, SECRET
from tests.messaging.servers import SmsProvider
from tests.outbox.test_faults import Workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]


@pytest.fixture
def provider() -> Iterator[SmsProvider]:
    with SmsProvider("aliyun", KEY_ID, SECRET) as running:
        yield running


@pytest.fixture
def workers(tmp_path: Path, provider: SmsProvider) -> Iterator[Workers]:
    handle = Workers(
        tmp_path,
        {
            "LIANBAN_MESSAGE_SECONDS": "1",
            "LIANBAN_SMS_PROVIDER": "aliyun",
            "LIANBAN_SMS_ENDPOINT": provider.url,
            "LIANBAN_SMS_ACCESS_KEY_ID": KEY_ID,
            "LIANBAN_SMS_ACCESS_KEY_SECRET": SECRET,
            "LIANBAN_SMS_SIGN_NAME": "联办测试",
            "LIANBAN_SMS_TIMEOUT_SECONDS": "2",
            "LIANBAN_SMTP_TIMEOUT_SECONDS": "1",
        },
    )
    yield handle
    handle.stop_all()


def test_a_worker_killed_while_sending_an_sms_loses_nothing(
    people: People, provider: SmsProvider, workers: Workers
) -> None:
    # the flush of earlier transactional tests removes the seeded rows: this test writes the one it needs
    MessageTemplate.objects.update_or_create(
        kind="SUBMITTED",
        channel=Channel.SMS,
        audience=Audience.APPLICANT,
        defaults={"body": "您的申请{code}已提交。", "provider_template": "SMS_1001"},
    )
    provider.hold()  # the first SendSms is received, then held: its worker stays mid-send
    case = submit(people, thing="KFG")
    workers.start("doomed")
    wait_for("an SMS held at the provider", lambda: workers.alive("doomed") and provider.held.is_set())
    message = Message.objects.get(case=case, channel=Channel.SMS)
    assert (message.status, message.attempts, message.provider_ref) == (Status.SENDING, 1, "")

    workers.kill("doomed")  # SIGKILL while its request is in flight
    provider.release()
    message.refresh_from_db()
    assert (message.status, message.provider_ref) == (Status.SENDING, "")  # the outcome never got recorded

    workers.start("survivor")
    wait_for(
        "the SMS sent again once the claim ended",
        lambda: workers.alive("survivor") and Message.objects.filter(pk=message.pk, provider_ref__gt="").exists(),
    )
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_ref) == (Status.SENDING, 2, "biz-2")
    assert [p["OutId"] for p in provider.received] == [str(message.pk)] * 2  # at least once, same message id
    receipts_accept("aliyun", receipt_items("aliyun", [{"success": True, "biz_id": "biz-2"}]))
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
