"""``lianban user`` and ``createsuperuser``: staff accounts from the command line, every change on the trail."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

import pytest

from lianban.accounts.models import AccountEvent, Role, User
from lianban.catalog.models import Department

pytestmark = pytest.mark.django_db

PASSWORD = "Window-Clerk-2026"


class Terminal(io.StringIO):
    """Standard input that is a terminal (nothing piped)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(code="SCJG", name="市场监督管理局")


def user_command(*args: str, stdin: io.StringIO | None = None, language: str = "en") -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("user", *args, stdout=out, stdin=stdin if stdin is not None else Terminal())
    return out.getvalue()


def test_add_a_reviewer_with_a_piped_password(department: Department) -> None:
    out = user_command("add", "rev1", "--role", "reviewer", "--department", "SCJG", stdin=io.StringIO(PASSWORD + "\n"))
    assert PASSWORD not in out
    user = User.objects.get(username="rev1")
    assert (user.role, user.department, user.is_staff) == (Role.REVIEWER, department, False)
    assert user.check_password(PASSWORD)
    event = AccountEvent.objects.get()
    assert (event.action, event.actor, event.target) == ("account.added", None, user)
    assert event.detail.startswith("[command line]")
    assert event.after["role"] == Role.REVIEWER and event.after["department_id"] == department.pk


def test_add_an_admin_with_a_generated_password_printed_once(db: None) -> None:
    out = user_command("add", "catalog1", "--role", "admin")
    found = re.search(r"shown only this once\): (\S+)", out)
    assert found is not None
    user = User.objects.get(username="catalog1")
    assert user.check_password(found.group(1))
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, False)
    assert Client().login(username="catalog1", password=found.group(1))


@pytest.mark.parametrize(
    ("args", "problem_en", "problem_zh"),
    [
        (("add", "r", "--role", "reviewer"), "needs a department", "必须属于一个部门"),
        (("add", "c", "--role", "clerk", "--department", "NOPE"), "NOPE", "没有代码为 NOPE 的部门"),
        (("add", "taken", "--role", "applicant"), "taken", "已被占用"),
    ],
)
def test_add_refuses_bad_input_naming_the_problem(
    department: Department, args: tuple[str, ...], problem_en: str, problem_zh: str
) -> None:
    User.objects.create_user("taken", password="x")
    for language, problem in (("en", problem_en), ("zh-hans", problem_zh)):
        with pytest.raises(CommandError, match=problem):
            user_command(*args, stdin=io.StringIO(PASSWORD + "\n"), language=language)
    assert User.objects.count() == 1
    assert not AccountEvent.objects.exists()


def test_add_refuses_an_unknown_role_and_a_weak_password(department: Department) -> None:
    with pytest.raises(CommandError):
        user_command("add", "x", "--role", "king")
    with pytest.raises(CommandError, match="password"):
        user_command("add", "x", "--role", "supervisor", stdin=io.StringIO("x\n"))
    assert not User.objects.exists()


def test_list_set_password_and_deactivate(department: Department) -> None:
    user_command("add", "clerk1", "--role", "clerk", "--department", "SCJG", stdin=io.StringIO(PASSWORD + "\n"))
    listed = user_command("list")
    assert re.search(r"^clerk1\tCLERK\tSCJG\tyes", listed, re.M)
    user_command("set-password", "clerk1", stdin=io.StringIO("Another-Password-2026\n"))
    user = User.objects.get(username="clerk1")
    assert user.check_password("Another-Password-2026")
    with pytest.raises(CommandError, match="password"):
        user_command("set-password", "clerk1", stdin=io.StringIO("clerk1\n"))
    user_command("deactivate", "clerk1")
    user.refresh_from_db()
    assert not user.is_active
    assert re.search(r"^clerk1\tCLERK\tSCJG\tno", user_command("list"), re.M)
    assert [e.action for e in AccountEvent.objects.order_by("id")] == [
        "account.added",
        "account.password_set",
        "account.deactivated",
    ]
    with pytest.raises(CommandError, match="nobody"):
        user_command("deactivate", "nobody")


def test_createsuperuser_makes_a_catalog_administrator(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Operator-Password-2026")
    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org", stdout=io.StringIO()
    )
    root = User.objects.get(username="root")
    assert (root.role, root.is_superuser, root.is_staff) == (Role.ADMIN, True, True)


def test_a_clerk_without_a_department_is_the_comprehensive_window() -> None:
    user_command("add", "window1", "--role", "clerk", stdin=io.StringIO(PASSWORD + "\n"))
    user = User.objects.get(username="window1")
    assert (user.role, user.department) == (Role.CLERK, None)
