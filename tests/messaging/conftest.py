"""Fixtures of the messaging tests: the case kit, a local SMS provider and SMTP server, settings pointing at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from tests.cases.kit import case_rows_wiped_first, catalog, clock, english, people
from tests.messaging.servers import SmsProvider, SmtpServer

__all__ = ["case_rows_wiped_first", "catalog", "clock", "english", "people"]

KEY_ID = "LTAI-test-key"
SECRET = "test-secret-never-logged"
RECEIPT_SECRET = "receipt-secret-0123456789"


def _point(settings: Settings, kind: str, url: str) -> None:
    settings.LIANBAN_SMS_PROVIDER = kind
    settings.LIANBAN_SMS_ENDPOINT = url
    settings.LIANBAN_SMS_ACCESS_KEY_ID = KEY_ID
    settings.LIANBAN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.LIANBAN_SMS_SIGN_NAME = "联办测试"
    settings.LIANBAN_SMS_APP_ID = "1400000000"
    settings.LIANBAN_SMS_RECEIPT_SECRET = RECEIPT_SECRET
    settings.LIANBAN_SMS_TIMEOUT_SECONDS = 5.0
    settings.LIANBAN_MESSAGE_RETRY_SECONDS = [30.0, 120.0]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def aliyun(settings: Settings) -> Iterator[SmsProvider]:
    """A local Aliyun SMS endpoint, and the settings sending through it."""
    with SmsProvider("aliyun", KEY_ID, SECRET) as provider:
        _point(settings, "aliyun", provider.url)
        yield provider


@pytest.fixture
def tencent(settings: Settings) -> Iterator[SmsProvider]:
    """A local Tencent Cloud SMS endpoint, and the settings sending through it."""
    with SmsProvider("tencent", KEY_ID, SECRET) as provider:
        _point(settings, "tencent", provider.url)
        yield provider


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A local SMTP server (aiosmtpd), and the settings sending mail through it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "lianban@gov.example.cn"
        settings.LIANBAN_MESSAGE_RETRY_SECONDS = [30.0, 120.0]
        yield server
