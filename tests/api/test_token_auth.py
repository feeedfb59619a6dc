"""Token authentication: a token acts as its user through the same route rules and throttles; bad tokens answer 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

import pytest
from pytest_django import Settings

from lianban.accounts.models import ApiToken, Role, User
from lianban.accounts.services import token_create, token_revoke
from tests.api.world import build_world
from tests.cases.kit import FrozenClock, People

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user("script", password="Unused-Password-2026", role=Role.APPLICANT)


def call(path: str, authorization: str, language: str = "zh-hans") -> Any:
    return Client().get(path, HTTP_AUTHORIZATION=authorization, HTTP_ACCEPT_LANGUAGE=language)


def test_a_bearer_token_signs_in_as_its_user_and_its_use_is_recorded(user: User) -> None:
    issued = token_create(actor=None, user=user, name="dept system")
    response = call("/api/notifications/", f"Bearer {issued.clear}")
    assert response.status_code == 200, response.content
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert call("/api/notifications/", f"Token {issued.clear}").status_code == 200


def test_without_a_token_the_list_is_refused(user: User) -> None:
    assert Client().get("/api/notifications/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("unknown", "接口令牌无效"),
        ("revoked", "接口令牌已被吊销"),
        ("expired", "接口令牌已过期"),
        ("inactive", "已停用"),
        ("malformed", "接口令牌格式不正确"),
    ],
)
def test_a_token_that_does_not_work_answers_401_in_chinese(user: User, spoil: str, message: str) -> None:
    issued = token_create(actor=None, user=user, days=30)
    clear = issued.clear
    if spoil == "unknown":
        clear = clear[:-4] + ("AAAA" if not clear.endswith("AAAA") else "BBBB")
    elif spoil == "revoked":
        token_revoke(actor=None, token=issued.token)
    elif spoil == "expired":
        ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif spoil == "malformed":
        clear = clear + " extra"
    response = call("/api/notifications/", f"Bearer {clear}")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token-invalid"
    assert message in body["message"], body
    assert response["WWW-Authenticate"].startswith("Bearer")
    english = call("/api/notifications/", f"Bearer {clear}", language="en").json()["message"]
    assert english.startswith("The API token") or "deactivated" in english


def test_a_reviewers_token_passes_the_same_object_checks_as_a_session(people: People, clock: FrozenClock) -> None:
    world = build_world(people, clock, "accepted")
    reviewer = people.reviewer("SCJG")
    bearer = f"Bearer {token_create(actor=None, user=reviewer).clear}"
    session = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    session.force_login(reviewer)
    for case, expected in ((world.own, 200), (world.other, 404)):
        path = f"/api/cases/{case.pk}"
        by_token, by_session = call(path, bearer), session.get(path)
        assert by_token.status_code == by_session.status_code == expected
        assert by_token.json().keys() == by_session.json().keys()  # the API's answers (404: its error shape)
    # the role check too: a reviewer may not use the window's queue, token or session alike
    assert call("/api/intake/queue", bearer).status_code == session.get("/api/intake/queue").status_code == 403


def test_tokens_are_throttled_per_user(settings: Settings, user: User) -> None:
    cache.clear()
    settings.LIANBAN_THROTTLE_RATES = {"user": "3/min", "anon": "100/min", "basic": "100/min", "track": "100/min"}
    first = token_create(actor=None, user=user).clear
    second = token_create(actor=None, user=user).clear
    try:
        statuses = [call("/api/notifications/", f"Bearer {first}").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        # the counter is the user's: a second token of the same user does not start afresh
        refused = call("/api/notifications/", f"Bearer {second}")
        assert refused.status_code == 429
        assert "Retry-After" in refused
    finally:
        cache.clear()
