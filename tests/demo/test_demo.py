"""``lianban demo``: loading twice changes nothing the second time; the printed logins work."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

import pytest

from lianban.accounts.models import User
from lianban.cases.models import Case, CaseEvent
from lianban.catalog.models import Department
from lianban.catalog.selectors import catalog_revision
from lianban.demo.cases import DEMO_REVIEWER_DEPARTMENTS
from lianban.demo.services import DEMO_ACCOUNTS
from tests.catalog.conftest import catalog_state

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    return out.getvalue()


def test_the_demo_loads_twice_without_changing_anything_the_second_time():
    first_output = run_demo()
    first = catalog_state()
    users = sorted(User.objects.values_list("username", "role", "department__code", "is_staff", "is_superuser"))
    cases = sorted(Case.objects.values_list("tracking_code", "state"))
    events = CaseEvent.objects.count()

    second_output = run_demo()

    assert second_output == first_output
    assert catalog_state() == first
    assert catalog_revision() == 1
    assert sorted(User.objects.values_list("username", "role", "department__code", "is_staff", "is_superuser")) == users
    assert sorted(Case.objects.values_list("tracking_code", "state")) == cases
    assert CaseEvent.objects.count() == events
    assert first["rows"]["Thing"] == 3
    assert len(users) == len(DEMO_ACCOUNTS) + len(DEMO_REVIEWER_DEPARTMENTS)
    assert len(cases) == 3


def test_every_printed_login_works_with_the_printed_password():
    output = run_demo()
    password = re.search(r"password for all: (\S+)\)", output).group(1)
    logins = output.split("Logins", 1)[1].split("Demo cases", 1)[0]
    usernames = re.findall(r"^  (\S+) ", logins, re.MULTILINE)
    expected = {account.username for account in DEMO_ACCOUNTS} | {f"reviewer_{d}" for d in DEMO_REVIEWER_DEPARTMENTS}
    assert set(usernames) == expected
    for username in usernames:
        client = Client()
        assert client.login(username=username, password=password), username
    admin = Client()
    admin.login(username="admin", password=password)
    assert admin.get("/admin/catalog/thing/").status_code == 200


def test_the_demo_prints_its_cases_with_their_tracking_codes():
    output = run_demo()
    codes = re.findall(r"^  ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})  (KJD|KFG|KYD)  ", output, re.MULTILINE)
    assert len(codes) == 3
    assert {raw.replace("-", "") for raw, _ in codes} == set(Case.objects.values_list("tracking_code", flat=True))


def test_the_demo_restores_its_catalog_after_an_edit():
    run_demo()
    loaded = catalog_state()
    Department.objects.filter(code="SCJG").update(name="改过")
    run_demo()
    restored = catalog_state()
    assert restored["yaml"] == loaded["yaml"]
    assert restored["revision"] == loaded["revision"] + 1
