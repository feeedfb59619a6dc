"""Repeated wrong passwords lock (page, Basic, admin); the API and tracking are throttled with 429 + Retry-After."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest
from axes.models import AccessAttempt
from pytest_django import Settings
from rest_framework.test import APIClient

from lianban.accounts.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Right-Password-2026"


@pytest.fixture
def locking(settings: Settings) -> Settings:
    """django-axes on (the test settings switch it off), the default limit."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    return settings


@pytest.fixture
def throttled(settings: Settings) -> Any:
    """Throttles on with tiny rates, counters empty."""
    cache.clear()
    settings.LIANBAN_THROTTLE_RATES = {"user": "3/min", "anon": "3/min", "basic": "100/min", "track": "3/min"}
    yield settings
    cache.clear()


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user("boss", password=PASSWORD, role=Role.APPLICANT)


@pytest.fixture
def admin_user_(db: None) -> User:
    return User.objects.create_superuser("root", password=PASSWORD, role=Role.ADMIN)


def _basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def _page_login(client: Client, password: str, path: str = "/accounts/login/", name: str = "boss") -> Any:
    return client.post(path, {"username": name, "password": password}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_forty_wrong_passwords_lock_the_login_page(locking: Settings, user: User) -> None:
    client = Client()
    for _ in range(40):
        assert _page_login(client, "wrong").status_code in (200, 429)
    response = _page_login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert response["Retry-After"] == str(15 * 60)
    assert "登录失败次数过多" in response.content.decode()


def test_a_few_wrong_passwords_do_not_lock(locking: Settings, user: User) -> None:
    client = Client()
    for _ in range(3):
        _page_login(client, "wrong")
    assert _page_login(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_forty_wrong_passwords_lock_http_basic(locking: Settings, user: User) -> None:
    client = APIClient()
    for _ in range(40):
        assert client.get("/api/cases/", HTTP_AUTHORIZATION=_basic("boss", "wrong")).status_code in (401, 403, 429)
    response = client.get("/api/cases/", HTTP_AUTHORIZATION=_basic("boss", PASSWORD), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "locked-out"
    assert "登录失败次数过多" in response.json()["message"]


def test_forty_wrong_passwords_lock_the_admin_login(locking: Settings, admin_user_: User) -> None:
    client = Client()
    for _ in range(40):
        _page_login(client, "wrong", path="/admin/login/", name="root")
    response = _page_login(client, PASSWORD, path="/admin/login/", name="root")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_for_every_user_name(locking: Settings, user: User) -> None:
    client = Client()
    for n in range(12):
        _page_login(client, "wrong", name=f"nobody{n}")
    assert _page_login(client, PASSWORD).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.9.8.7").post("/accounts/login/", {"username": "boss", "password": PASSWORD}).status_code
        == 302
    )


def test_the_lock_expires(locking: Settings, user: User) -> None:
    client = Client()
    for _ in range(12):
        _page_login(client, "wrong")
    assert _page_login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))  # the cool-off has passed
    assert _page_login(client, PASSWORD).status_code == 302


def test_the_lock_is_lifted_by_a_command(locking: Settings, user: User) -> None:
    client = Client()
    for _ in range(12):
        _page_login(client, "wrong")
    assert _page_login(client, PASSWORD).status_code == 429
    call_command("axes_reset")
    assert _page_login(client, PASSWORD).status_code == 302


def test_the_lock_of_one_user_is_lifted_by_name(locking: Settings, user: User) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(12):
        client.post("/accounts/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR=f"10.0.1.{n}")
    assert _page_login(client, PASSWORD).status_code == 429  # the user name is locked from any address
    call_command("axes_reset_username", "boss")
    assert _page_login(client, PASSWORD).status_code == 302


# ------------------------------------------------------------------ API throttles


def test_the_api_answers_429_with_retry_after_and_a_chinese_message(throttled: Settings, user: User) -> None:
    client = APIClient()
    client.force_authenticate(user)
    for _ in range(3):
        assert client.get("/api/cases/").status_code == 200
    response = client.get("/api/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    assert "请求过于频繁" in response.json()["message"]


def test_each_user_has_its_own_budget(throttled: Settings, user: User) -> None:
    other = User.objects.create_user("other", password=PASSWORD, role=Role.APPLICANT)
    first, second = APIClient(), APIClient()
    first.force_authenticate(user)
    second.force_authenticate(other)
    for _ in range(4):
        first.get("/api/cases/")
    assert first.get("/api/cases/").status_code == 429
    assert second.get("/api/cases/").status_code == 200


def test_anonymous_calls_are_throttled_per_address(throttled: Settings, db: None) -> None:
    for _ in range(3):
        assert APIClient().get("/api/things/").status_code == 200
    assert APIClient().get("/api/things/").status_code == 429
    assert APIClient(REMOTE_ADDR="10.1.2.3").get("/api/things/").status_code == 200


def test_a_forged_forwarding_header_does_not_evade_the_throttle(throttled: Settings, db: None) -> None:
    for n in range(5):
        last = APIClient().get("/api/things/", HTTP_X_FORWARDED_FOR=f"10.7.0.{n}")
    assert last.status_code == 429


def test_behind_a_configured_proxy_the_forwarded_address_counts(throttled: Settings, db: None) -> None:
    throttled.LIANBAN_CLIENT_IP_HEADER = "X-Forwarded-For"
    throttled.LIANBAN_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    for _ in range(3):
        APIClient().get("/api/things/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5", **proxy)
    assert APIClient().get("/api/things/", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    # the client cannot escape by writing another address to the left of the proxy's entry
    assert APIClient().get("/api/things/", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5", **proxy).status_code == 429
    assert APIClient().get("/api/things/", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200


def test_public_tracking_is_throttled_per_address(throttled: Settings, db: None) -> None:
    throttled.LIANBAN_THROTTLE_RATES = {**throttled.LIANBAN_THROTTLE_RATES, "anon": None}
    for _ in range(3):
        assert APIClient().get("/api/track/ABCD-EFGH-JKMN").status_code == 404
    response = APIClient().get("/api/track/ABCD-EFGH-JKMN")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_tracking_page_is_throttled_per_address(throttled: Settings, db: None) -> None:
    for _ in range(3):
        assert Client().get("/track/ABCD-EFGH-JKMN/").status_code == 404
    response = Client().get("/track/ABCD-EFGH-JKMN/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "请求过于频繁" in response.content.decode()
    assert Client(REMOTE_ADDR="10.3.3.3").get("/track/ABCD-EFGH-JKMN/").status_code == 404


def test_basic_sign_ins_are_throttled_per_address_before_the_hash(throttled: Settings, user: User) -> None:
    throttled.LIANBAN_THROTTLE_RATES = {**throttled.LIANBAN_THROTTLE_RATES, "basic": "2/min", "user": None}
    client = APIClient()
    for _ in range(2):
        assert client.get("/api/cases/", HTTP_AUTHORIZATION=_basic("boss", PASSWORD)).status_code == 200
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=_basic("boss", PASSWORD)).status_code == 429
