"""Code requests for one number at the same moment: the limits hold (real threads, real transactions)."""

from __future__ import annotations

import pytest

from lianban.accounts.models import CodePurpose, PhoneCode
from lianban.accounts.phone_codes import CodeRefused, phone_code_send
from lianban.messaging.models import Message, Purpose
from tests.accounts.codes import deliver
from tests.api.test_concurrency import together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sms(sms_outbox: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sms_outbox


def test_four_requests_for_one_number_at_once_send_one_code(sms) -> None:
    def ask(address: str) -> None:
        phone_code_send(phone="13800138000", purpose=CodePurpose.SIGNUP, address=address)

    results = together(*(lambda a=f"203.0.113.{i}": ask(a) for i in range(4)))
    assert sum(r is None for r in results) == 1, results
    assert all(isinstance(r, CodeRefused) for r in results if r is not None), results
    assert PhoneCode.objects.count() == 1 and Message.objects.filter(purpose=Purpose.CODE).count() == 1
    deliver()
    assert len(sms) == 1


def test_requests_from_one_address_at_once_keep_its_limit(settings, sms) -> None:
    settings.LIANBAN_PHONE_CODE_ADDRESS_LIMITS = "2/minute"

    def ask(phone: str) -> None:
        phone_code_send(phone=phone, purpose=CodePurpose.SIGNUP, address="203.0.113.9")

    results = together(*(lambda p=f"1380013800{i}": ask(p) for i in range(5)))
    assert sum(r is None for r in results) == 2, results
    assert PhoneCode.objects.count() == 2 and Message.objects.filter(purpose=Purpose.CODE).count() == 2
