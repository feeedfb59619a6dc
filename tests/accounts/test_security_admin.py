"""Separation of duties: security administrators manage accounts and roles, audited; nobody grants themselves one."""

from __future__ import annotations

from typing import Any

from django.test import Client

import pytest

from lianban.accounts.models import AccountEvent, Role, User
from lianban.catalog.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(db: None) -> User:
    return User.objects.create_user("sec", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)


@pytest.fixture
def clerk(db: None) -> User:
    return User.objects.create_user("clerk1", password="pw-for-tests-only", role=Role.CLERK)


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def change_data(user: User, **changes: Any) -> dict[str, Any]:
    """The user admin's change form as it is, with ``changes``."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "department": user.department_id or "",
        "display_name": user.display_name,
        "phone": user.phone,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_a_security_administrator_changes_a_role_and_the_change_is_on_the_trail(security: User, clerk: User) -> None:
    client = signed_in(security)
    assert client.get("/admin/accounts/user/").status_code == 200
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", change_data(clerk, role=Role.SUPERVISOR))
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert clerk.role == Role.SUPERVISOR
    event = AccountEvent.objects.get()
    assert (event.actor, event.target, event.action) == (security, clerk, "account.changed")
    assert event.after["role"] == Role.SUPERVISOR


def test_a_password_reset_and_a_new_account_are_on_the_trail(security: User, clerk: User) -> None:
    client = signed_in(security)
    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/",
        {"password1": "Another-pass-1234", "password2": "Another-pass-1234", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "role": Role.APPLICANT,  # the add page asks for the role (pre-selected: applicant)
            "password1": "Another-pass-1234",
            "password2": "Another-pass-1234",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(AccountEvent.objects.order_by("id").values_list("action", "target_username")) == [
        ("account.changed", "clerk1"),
        ("account.added", "newbie"),
    ]


def test_no_one_grants_themselves_a_role_or_takes_over_a_peer(security: User, clerk: User) -> None:
    client = signed_in(security)
    # their own role, status and department are read-only: the posted values are ignored
    client.post(
        f"/admin/accounts/user/{security.pk}/change/",
        change_data(security, role=Role.SUPERVISOR, is_staff="on"),
    )
    security.refresh_from_db()
    assert security.role == Role.SECURITY
    # the security-administrator role is not theirs to give
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", change_data(clerk, role=Role.SECURITY))
    assert response.status_code == 200  # the form again, with the choice refused
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK
    # another security administrator, or a superuser, is out of reach: no change, no password reset
    peer = User.objects.create_user("sec2", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    for target in (peer, root):
        assert client.post(f"/admin/accounts/user/{target.pk}/password/", {}).status_code == 403
        client.post(f"/admin/accounts/user/{target.pk}/change/", change_data(target, is_active=""))
        target.refresh_from_db()
        assert target.is_active
    # per-user permissions and groups are not offered, and would give nothing
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/").content.decode()
    assert "is_superuser" not in page and "user_permissions" not in page and "groups" not in page
    assert not AccountEvent.objects.filter(target__in=[peer, root]).exists()


def test_a_security_administrator_sees_no_case_data_and_no_catalog(security: User) -> None:
    client = signed_in(security)
    for url in (
        "/admin/cases/case/",
        "/admin/accounts/applicant/",
        "/admin/licences/licence/",
        "/admin/catalog/thing/",
        "/admin/auth/group/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/work/").status_code == 302
    assert client.get("/work/supervision/").status_code == 403
    assert client.get("/api/cases/").json()["results"] == []


def test_stored_permissions_give_nothing_beyond_the_role(clerk: User) -> None:
    from django.contrib.auth.models import Permission

    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="change_user"))
    clerk = User.objects.get(pk=clerk.pk)
    assert not clerk.has_perm("accounts.change_user")
    assert signed_in(clerk).get("/admin/accounts/user/").status_code == 403


def test_a_catalog_administrator_manages_the_catalog_only(db: None) -> None:
    Department.objects.create(code="T1", name="测试局")
    admin = User.objects.create_user("cat", password="pw-for-tests-only", role=Role.ADMIN, is_staff=True)
    assert not admin.is_superuser
    client = signed_in(admin)
    assert client.get("/admin/catalog/department/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get(f"/admin/accounts/user/{admin.pk}/change/").status_code == 403
    assert admin.has_perm("catalog.change_thing") and not admin.has_perm("accounts.change_user")
