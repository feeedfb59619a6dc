"""The route rules (``lianban.config.access``): the window's forms refuse before they read a form."""

from __future__ import annotations

from unittest import mock

from django.test import Client

import pytest

from lianban.accounts.models import User
from lianban.config import access
from tests.api.world import build_world
from tests.cases.kit import FrozenClock, People

pytestmark = pytest.mark.django_db

#: The window's and the departments' forms of a case.
WINDOW_FORMS = ("checks", "accept", "correction", "refuse", "pay", "issue")
DEPARTMENT_FORMS = ("take", "supplement", "approve", "reject")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_forms_refuse_an_other_department_reviewer_and_the_applicant_before_reading_the_form(
    people: People, clock: FrozenClock
) -> None:
    world = build_world(people, clock, "in_review")
    case, item = world.own, world.objects["own"]["item"]
    phone = people.applicant.contact_phone
    expected = {
        people.reviewer("GA"): 404,  # GA's item waits: the case is not theirs (yet)
        people.reviewer("SCJG"): 403,  # theirs, but the window's forms are not
        people.applicant_user: 403,  # their own case, but not the staff page
        people.other_clerk: 404,  # another window's case
    }
    with mock.patch("lianban.workbench.forms.ReasonForm.__init__", side_effect=AssertionError("form touched")):
        for user, status in expected.items():
            client = _client(user)
            for form in WINDOW_FORMS:
                response = client.post(f"/work/cases/{case.pk}/{form}/", {})
                assert response.status_code == status, (user, form)
                assert phone not in response.content.decode()
    for user, status in ((people.clerk, 403), (people.reviewer("GA"), 404), (people.applicant_user, 403)):
        client = _client(user)
        for form in DEPARTMENT_FORMS:
            response = client.post(f"/work/department/items/{item.pk}/{form}/", {})
            assert response.status_code == status, (user, form)


def test_the_window_still_gets_its_form_back_with_the_problem(people: People, clock: FrozenClock) -> None:
    world = build_world(people, clock, "submitted")
    response = _client(people.clerk).post(f"/work/cases/{world.own.pk}/refuse/", {})
    assert response.status_code == 400
    assert people.applicant.contact_phone in response.content.decode()


def test_anonymous_callers_are_sent_to_sign_in_and_the_api_refuses_them(people: People, clock: FrozenClock) -> None:
    world = build_world(people, clock, "submitted")
    response = Client().post(f"/work/cases/{world.own.pk}/refuse/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(f"/api/cases/{world.own.pk}/refuse", {}).status_code == 403


def test_the_api_checks_before_it_parses_the_body(people: People, clock: FrozenClock) -> None:
    world = build_world(people, clock, "submitted")
    client = _client(people.reviewer("GA"))
    response = client.post(f"/api/cases/{world.own.pk}/refuse", "{not json", content_type="application/json")
    assert response.status_code == 404  # not 400: the body was never parsed
    client = _client(people.applicant_user)
    response = client.post(f"/api/cases/{world.own.pk}/refuse", "{not json", content_type="application/json")
    assert response.status_code == 403


def test_a_route_without_a_rule_is_closed(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(access.ROUTES, "workbench:supervision")
    assert _client(people.supervisor).get("/work/supervision/").status_code == 403
    monkeypatch.delitem(access.ROUTES, "cases-list")
    assert _client(people.supervisor).get("/api/cases/").status_code == 403


def test_reviewers_get_only_their_items_fields_and_materials_from_the_api(people: People, clock: FrozenClock) -> None:
    from lianban.catalog.models import Item

    world = build_world(people, clock, "in_review")
    case = world.own
    document = _client(people.reviewer("SCJG")).get(f"/api/cases/{case.pk}").json()
    fields = set(Item.objects.get(code="SCJG-GSSL").form_fields)
    assert set(document["form"]) == fields & set(case.form)
    assert set(document["form"]) < set(case.form)
    assert document["answers"] == {} and document["issuance"] is None
    assert {i["code"] for i in document["items"]} == {"SCJG-GSSL"}
    assert all("SCJG-GSSL" in m["needed_by"] for m in document["materials"])
    whole = _client(people.supervisor).get(f"/api/cases/{case.pk}").json()
    assert set(whole["form"]) == set(case.form) and len(whole["materials"]) > len(document["materials"])
    assert _client(people.reviewer("GA")).get(f"/api/cases/{case.pk}").status_code == 404
