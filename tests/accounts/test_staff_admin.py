"""The user admin's add page: role and department set on it; a reviewer without a department refused."""

from __future__ import annotations

from typing import Any

from django.test import Client

import pytest

from lianban.accounts.models import AccountEvent, Role, User
from lianban.catalog.models import Department

pytestmark = pytest.mark.django_db

PASSWORD = "Window-Clerk-2026"


@pytest.fixture
def client(db: None) -> Client:
    security = User.objects.create_user("sec", password="pw-for-tests-only", role=Role.SECURITY, is_staff=True)
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signed_in.force_login(security)
    return signed_in


def add(client: Client, **fields: Any) -> Any:
    data = {"username": "new1", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post("/admin/accounts/user/add/", data)


def test_the_add_page_has_role_and_department(client: Client) -> None:
    page = client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="role"' in page and 'name="department"' in page
    assert 'value="SECURITY"' not in page  # a security administrator does not make another


def test_a_reviewer_is_added_with_a_department_in_one_step(client: Client) -> None:
    department = Department.objects.create(code="GA", name="公安局")
    response = add(client, role=Role.REVIEWER, department=department.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new1")
    assert (user.role, user.department, user.is_staff) == (Role.REVIEWER, department, False)
    event = AccountEvent.objects.get(action="account.added")
    assert event.after["role"] == Role.REVIEWER and event.after["department_id"] == department.pk


def test_a_reviewer_without_a_department_is_refused(client: Client) -> None:
    response = add(client, role=Role.REVIEWER)
    assert response.status_code == 200
    assert "必须属于一个部门" in response.content.decode()
    assert not User.objects.filter(username="new1").exists()
    assert not AccountEvent.objects.exists()


def test_a_clerk_without_a_department_is_the_comprehensive_window(client: Client) -> None:
    assert add(client, role=Role.CLERK).status_code == 302
    user = User.objects.get(username="new1")
    assert (user.role, user.department) == (Role.CLERK, None)


def test_a_catalog_administrator_gets_the_admin_site(client: Client) -> None:
    assert add(client, role=Role.ADMIN).status_code == 302
    assert User.objects.get(username="new1").is_staff
