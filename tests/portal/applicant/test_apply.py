"""Starting an application: who applies (choose or register, identity numbers checked), the answers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lianban.accounts.models import Applicant, ApplicantMember, Role
from lianban.accounts.selectors import applicant_get_by_identity
from lianban.catalog.models import Department, Material
from lianban.licences.services import licence_record
from lianban.portal.models import Draft
from tests.cases.kit import USCC_OTHER, make_user

from .helpers import HOTEL_QUERY

pytestmark = pytest.mark.django_db

GOOD_USCC = "91350100M000100Y43"
BAD_USCC = "91350100M000100Y44"  # wrong check character


def new_enterprise(**changes):
    data = {
        "applicant": "new",
        "new-name": "武汉新开酒店有限公司",
        "new-id_number": GOOD_USCC,
        "new-contact_name": "王五",
        "new-contact_phone": "13912345678",
        "new-address": "武汉市江汉区",
        "answer-area": "600",
        "answer-central_ac": "true",
        "answer-has_catering": "true",
    }
    data.update(changes)
    return data


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, people):
    response = client.get(f"/apply/KJD/?{HOTEL_QUERY}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/apply/KJD/")


def test_staff_are_told_the_page_is_for_applicants(client, people):
    client.force_login(people.clerk)
    response = client.get("/apply/KJD/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This page is for applicants" in response.content.decode()
    assert not Draft.objects.exists()


def test_the_start_page_offers_the_applicants_and_keeps_the_guide_answers(boss, people):
    response = boss.get(f"/apply/KJD/?{HOTEL_QUERY}")
    html = response.content.decode()
    assert response.status_code == 200
    assert people.applicant.name in html
    assert people.other_applicant.name not in html
    assert 'name="answer-area" value="600"' in html
    assert f'id="applicant-{people.applicant.pk}" name="applicant" value="{people.applicant.pk}" checked' in html


def test_a_new_enterprise_with_a_bad_credit_code_gets_the_error_next_to_the_field_in_chinese(client, people, clock):
    client.force_login(people.applicant_user)
    response = client.post("/apply/KJD/", new_enterprise(**{"new-id_number": BAD_USCC}))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="new-id_number-error">统一社会信用代码：最后一位校验码不符' in html
    assert 'id="new-id_number"' in html and 'aria-invalid="true"' in html
    assert not Applicant.objects.filter(name="武汉新开酒店有限公司").exists()
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9135", "must have 18 characters"),
        ("91350100M000100Y4!", "may only contain digits and capital letters"),
        ("", "Please fill in Unified social credit code"),
    ],
)
def test_credit_code_problems_are_worded_for_the_applicant(boss, typed, message):
    response = boss.post("/apply/KJD/", new_enterprise(**{"new-id_number": typed}))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_new_enterprise_with_a_good_credit_code_is_registered_and_the_draft_starts(boss, people):
    response = boss.post("/apply/KJD/", new_enterprise(**{"new-id_number": "91350100m000100y43 "}))
    draft = Draft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/drafts/{draft.pk}/"
    applicant = applicant_get_by_identity(kind="enterprise", id_number=GOOD_USCC)
    assert applicant is not None
    assert ApplicantMember.objects.filter(applicant=applicant, user=people.applicant_user).exists()
    assert draft.applicant == applicant
    assert draft.answers == {"area": 600, "central_ac": True, "has_catering": True}
    assert draft.form["company_name"] == "武汉新开酒店有限公司"
    assert draft.form["uscc"] == GOOD_USCC


def test_choosing_an_applicant_the_user_acts_for(boss, people):
    response = boss.post(
        "/apply/KJD/",
        {
            "applicant": people.applicant.pk,
            "answer-area": "200",
            "answer-central_ac": "false",
            "answer-has_catering": "false",
        },
    )
    assert response.status_code == 302
    draft = Draft.objects.get()
    assert (draft.applicant, draft.user, draft.thing.code) == (people.applicant, people.applicant_user, "KJD")


def test_someone_elses_applicant_cannot_be_chosen(boss, people):
    response = boss.post(
        "/apply/KJD/",
        {
            "applicant": people.other_applicant.pk,
            "answer-area": "200",
            "answer-central_ac": "false",
            "answer-has_catering": "false",
        },
    )
    assert response.status_code == 404
    assert not Draft.objects.exists()


def _started(client, data):
    """The answer to starting an application: status, where it leads (ids replaced), the next page's messages."""
    response = client.post("/apply/KJD/", data)
    location = re.sub(r"\d+", "N", response.get("Location", ""))
    page = client.get(response["Location"]) if response.status_code == 302 else response
    messages = [str(m) for m in page.context["messages"]] if page.context else []
    return (response.status_code, location, messages), response


def test_registering_an_identity_another_account_holds_answers_as_a_new_identity_does(boss, people):
    """Whether the credit code is registered or not cannot be told from the answer."""
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="ID-OTHER-1",
        holder=people.other_applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2020, 1, 2),
    )
    new_answer, _new = _started(boss, new_enterprise())
    held_answer, held = _started(boss, new_enterprise(**{"new-id_number": USCC_OTHER, "new-name": "冒名公司"}))
    assert new_answer == held_answer
    assert new_answer[:2] == (302, "/apply/drafts/N/")
    draft = Draft.objects.get(pk=int(held["Location"].split("/")[-2]))
    claim = draft.applicant
    assert (claim.claim_of, claim.name, claim.contact_name) == (people.other_applicant, "冒名公司", "王五")
    assert draft.form["company_name"] == "冒名公司"
    assert not ApplicantMember.objects.filter(applicant=people.other_applicant, user=people.applicant_user).exists()
    other = people.other_applicant
    for url in (held["Location"], "/my/licences/", "/my/cases/", f"/apply/KJD/?{HOTEL_QUERY}"):
        html = boss.get(url).content.decode()
        assert other.name not in html and other.contact_name not in html and other.contact_phone not in html, url
        assert "ID-OTHER-1" not in html, url
    assert "冒名公司" in boss.get(f"/apply/KJD/?{HOTEL_QUERY}").content.decode()  # what they typed


def test_the_answers_are_validated_like_the_guide(boss, people):
    response = boss.post(
        "/apply/KJD/",
        {
            "applicant": people.applicant.pk,
            "answer-area": "-1",
            "answer-central_ac": "true",
            "answer-has_catering": "true",
        },
    )
    assert response.status_code == 400
    assert "must be at least 0" in response.content.decode()
    response = boss.post("/apply/KJD/", {"applicant": people.applicant.pk, "answer-area": "abc"})
    assert response.status_code == 400
    assert "must be a number" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_person_registers_with_a_citizen_identity_number(client, person_catalog, people, clock):
    user = make_user("citizen", Role.APPLICANT)
    client.force_login(user)
    base = {
        "applicant": "new",
        "new-name": "李雷",
        "new-contact_name": "李雷",
        "new-contact_phone": "13800000001",
        "answer-reason": "工作",
        "answer-people": "1",
    }
    response = client.post("/apply/PT-MOVE/", {**base, "new-id_number": "110105194912310021"})
    assert response.status_code == 400
    assert 'id="new-id_number-error">公民身份号码：最后一位校验码不符' in response.content.decode()
    response = client.post("/apply/PT-MOVE/", {**base, "new-id_number": "11010519491231002x"})
    assert response.status_code == 302
    draft = Draft.objects.get()
    assert draft.applicant.kind == "person"
    assert draft.applicant.id_number == "11010519491231002X"
    assert draft.form["id_no"] == "11010519491231002X"
    assert draft.form["name"] == "李雷"


def test_an_enterprise_thing_does_not_offer_a_person(client, person_catalog, people, clock):
    client.force_login(people.applicant_user)
    html = client.get("/apply/PT-MOVE/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert people.applicant.name not in html
    assert "Register another person" in html


def test_an_unknown_thing_is_not_found(boss):
    assert boss.get("/apply/NOPE/").status_code == 404
