"""API tokens: hashed at rest, expiry and revocation, ``lianban token``, the admin (security administrators only)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

import pytest

from lianban.accounts.models import AccountEvent, ApiToken, Role, User
from lianban.accounts.services import AccountInvalid, token_create, token_revoke

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"^lb_[A-Za-z0-9_-]{43}$")


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user("system", password="Unused-Password-2026", role=Role.SUPERVISOR)


@pytest.fixture
def security(db: None) -> User:
    return User.objects.create_user("sec", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_clear_token_is_nowhere_in_the_database(user: User) -> None:
    issued = token_create(actor=None, user=user, name="tax bureau", days=7)
    assert TOKEN.match(issued.clear)
    row = ApiToken.objects.get()
    assert row.digest == hashlib.sha256(issued.clear.encode()).hexdigest()
    assert row.prefix == issued.clear[:11] and len(row.prefix) < len(issued.clear)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row_ in cursor.fetchall() for value in row_)
        cursor.execute("SELECT detail FROM accounts_accountevent")
        stored += " ".join(str(value) for (value,) in cursor.fetchall())
    assert issued.clear not in stored
    assert issued.clear[11:] not in stored  # not even the secret part
    assert row.expires_at is not None
    assert timedelta(days=7) - timedelta(minutes=1) < row.expires_at - timezone.now() <= timedelta(days=7)


def test_two_tokens_differ(user: User) -> None:
    assert token_create(actor=None, user=user).clear != token_create(actor=None, user=user).clear


def test_an_inactive_user_gets_no_token_and_days_must_be_positive(user: User) -> None:
    with pytest.raises(AccountInvalid):
        token_create(actor=None, user=user, days=0)
    user.is_active = False
    user.save()
    with pytest.raises(AccountInvalid):
        token_create(actor=None, user=user)
    assert not ApiToken.objects.exists()


def test_revoking_is_recorded_once(user: User, security: User) -> None:
    issued = token_create(actor=security, user=user)
    token_revoke(actor=security, token=issued.token)
    first = ApiToken.objects.get().revoked_at
    token_revoke(actor=security, token=issued.token)
    assert ApiToken.objects.get().revoked_at == first is not None
    actions = list(AccountEvent.objects.order_by("id").values_list("action", "actor", "target"))
    assert actions == [("token.created", security.pk, user.pk), ("token.revoked", security.pk, user.pk)]


def test_the_command_creates_lists_and_revokes(user: User) -> None:
    out, err = run("create", "system", "--days", "30", "--name", "tax bureau")
    clear = out.strip()
    assert TOKEN.match(clear)
    assert "hash" in err or "哈希" in err
    token = ApiToken.objects.get()
    assert token.name == "tax bureau" and token.expires_at is not None
    listed, _err = run("list", "system")
    assert token.prefix in listed and clear not in listed and "tax bureau" in listed
    assert Client().get("/api/notifications/", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 200
    run("revoke", str(token.pk))
    assert Client().get("/api/notifications/", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401
    events = AccountEvent.objects.order_by("id")
    assert [e.action for e in events] == ["token.created", "token.revoked"]
    assert all(e.actor is None and e.detail.startswith("[command line]") for e in events)


@pytest.mark.parametrize(
    "args",
    [("create", "nobody"), ("create", "system", "--days", "-1"), ("list", "nobody"), ("revoke", "99999")],
)
def test_the_command_refuses_bad_input(user: User, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiToken.objects.exists()


def test_a_security_administrator_issues_and_revokes_a_token_in_the_admin(user: User, security: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(security)
    response = client.post("/admin/accounts/apitoken/add/", {"user": user.pk, "name": "dept", "days": "5"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = re.search(r"lb_[A-Za-z0-9_-]{43}", response.content.decode())
    assert shown is not None and hashlib.sha256(shown.group().encode()).hexdigest() == token.digest
    assert token.user == user and token.expires_at is not None
    # never shown again
    assert shown.group() not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert shown.group() not in client.get("/admin/accounts/apitoken/").content.decode()
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    events = list(AccountEvent.objects.order_by("id").values_list("action", "actor"))
    assert events == [("token.created", security.pk), ("token.revoked", security.pk)]


def test_no_token_for_another_security_administrator_from_the_admin(security: User) -> None:
    other = User.objects.create_user("sec2", password="x", role=Role.SECURITY, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(security)
    response = client.post("/admin/accounts/apitoken/add/", {"user": other.pk, "name": "x"})
    assert response.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.CLERK])
def test_only_security_administrators_manage_tokens(user: User, role: str) -> None:
    other = User.objects.create_user(f"u_{role}", password="x", role=role, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(other)
    assert client.get("/admin/accounts/apitoken/").status_code in (302, 403)
    response = client.post("/admin/accounts/apitoken/add/", {"user": user.pk, "name": "x"})
    assert response.status_code in (302, 403)
    assert not ApiToken.objects.exists()
