"""The demo cases, and case data in the admin (read-only, supervisors only)."""

from __future__ import annotations

from django.test import Client

import pytest

from lianban.accounts.models import Role, User
from lianban.cases.models import Case, CaseMaterial
from lianban.catalog import selectors as catalog_selectors
from lianban.demo.cases import demo_cases_load
from lianban.demo.services import demo_load
from tests.cases.kit import FrozenClock, People, submit

pytestmark = pytest.mark.django_db


def test_the_demo_cases_load_once_in_several_states(clock: FrozenClock) -> None:
    demo_load()
    catalog_selectors._compiled.clear()  # see kit.import_catalog
    cases = demo_cases_load()
    assert [(c.thing, c.state) for c in cases] == [("KJD", "SUBMITTED"), ("KJD", "IN_PROGRESS"), ("KFG", "READY")]
    assert demo_cases_load() == cases
    assert Case.objects.count() == 3
    for code in ("ZJ", "STHJ", "XF", "WJ", "GA", "CG"):
        reviewer = User.objects.get(username=f"reviewer_{code}")
        assert reviewer.role == Role.REVIEWER
        assert reviewer.department.code == code  # type: ignore[union-attr]
        assert reviewer.check_password("lianban-demo")
    sfz = CaseMaterial.objects.filter(code="SFZ", case__tracking_code=cases[0].tracking_code).get()
    assert sfz.provenance == "licence"
    running = Case.objects.get(tracking_code=cases[1].tracking_code)
    assert running.item_cases.filter(state="DISPATCHED").count() >= 2


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supervisors_view_case_data_in_the_admin_but_change_nothing(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    people.supervisor.is_staff = True
    people.supervisor.save()
    client = login(people.supervisor)
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert case.tracking_code in page.content.decode()
    assert client.get("/admin/cases/case/add/").status_code == 403
    assert client.get(f"/admin/cases/caseevent/{case.events.get().pk}/delete/").status_code == 403
    assert client.post(f"/admin/cases/case/{case.pk}/change/", {}).status_code == 403


def test_catalog_administrators_see_no_case_data_in_the_admin(people: People, clock: FrozenClock) -> None:
    submit(people, thing="KFG")
    people.admin.is_staff = True
    people.admin.save()
    client = login(people.admin)
    for url in (
        "/admin/cases/case/",
        "/admin/cases/caseevent/",
        "/admin/accounts/applicant/",
        "/admin/licences/licence/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{people.supervisor.pk}/change/",
        f"/admin/accounts/user/{people.clerk.pk}/password/",
        "/admin/accounts/accountevent/",
        "/admin/auth/group/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/catalog/thing/").status_code == 200
