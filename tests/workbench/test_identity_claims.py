"""The window's identity check (身份核验) through the pages: shown to the clerk only, confirm, send back."""

from __future__ import annotations

import uuid

import pytest

from lianban.accounts.models import Applicant
from lianban.accounts.services import applicant_create
from lianban.cases.models import Case
from tests.cases.kit import USCC, People, check_all, fresh, submit
from tests.workbench.kit import pdf_text

pytestmark = pytest.mark.django_db

UNVERIFIED = "身份未核验"


def key() -> str:
    return str(uuid.uuid4())


def claimed_case(people: People) -> tuple[Case, Applicant]:
    """A case of ``people.other_user``'s claim to ``people.applicant``'s credit code, every material checked OK."""
    claim = applicant_create(
        actor=people.other_user,
        kind="enterprise",
        id_number=USCC,
        name="冒名酒店",
        contact_name="李四",
        contact_phone="13700000000",
    )
    # the claimant types its own details (its form is shown to it; the registered applicant's never is)
    typed = {"company_name": "冒名酒店", "legal_person": "李四", "address": "别处", "shareholders": "李四 100%"}
    case = submit(people, thing="KFG", applicant=claim, actor=people.other_user, form=typed)
    check_all(people, case)
    return case, claim


def test_the_clerk_sees_that_the_identity_is_unverified_and_registered_the_claimant_does_not(
    people, clock, signed_in
) -> None:
    case, _claim = claimed_case(people)
    clerk = signed_in(people.clerk)
    html = clerk.get(f"/work/cases/{case.pk}/").content.decode()
    assert UNVERIFIED in html and "已由平台上的其他账号登记" in html
    assert people.applicant.name in html  # the registered name, to compare with the papers
    assert f'action="/work/cases/{case.pk}/identity/confirm/"' in html
    assert f'action="/work/cases/{case.pk}/identity/refuse/"' in html
    assert "身份待核验" in clerk.get("/work/window/").content.decode()
    plain = submit(people, thing="KFG")
    plain_page = clerk.get(f"/work/cases/{plain.pk}/").content.decode()
    assert UNVERIFIED not in plain_page and "/identity/confirm/" not in plain_page
    claimant = signed_in(people.other_user)
    for url in (f"/my/cases/{case.pk}/", "/my/cases/"):
        page = claimant.get(url).content.decode()
        assert "冒名酒店" in page or url == "/my/cases/"
        for hidden in (UNVERIFIED, "身份核验", "已登记", people.applicant.name, people.applicant.contact_name):
            assert hidden not in page, (url, hidden)


def test_acceptance_waits_for_the_identity_then_the_clerk_confirms_it(people, clock, signed_in) -> None:
    case, _claim = claimed_case(people)
    clerk = signed_in(people.clerk)
    answer = clerk.post(f"/work/cases/{case.pk}/accept/", {"idempotency_key": key()}, follow=True)
    assert "申请人身份：尚未核对证件（身份核验）" in answer.content.decode()
    assert fresh(case).state == "SUBMITTED"
    confirmed = clerk.post(f"/work/cases/{case.pk}/identity/confirm/", {"idempotency_key": key()})
    assert (confirmed.status_code, confirmed["Location"]) == (303, f"/work/cases/{case.pk}/")
    page = clerk.get(confirmed["Location"]).content.decode()
    assert "身份已确认" in page and UNVERIFIED not in page
    assert fresh(case).applicant == people.applicant
    assert fresh(case).events.filter(action="case.identity_confirmed", actor=people.clerk).count() == 1
    again = clerk.post(f"/work/cases/{case.pk}/identity/confirm/", {"idempotency_key": key()}, follow=True)
    assert "申请人身份无需核验" in again.content.decode()
    accepted = clerk.post(f"/work/cases/{case.pk}/accept/", {"idempotency_key": key()})
    assert accepted.status_code == 303 and fresh(case).state == "IN_PROGRESS"


def test_the_clerk_sends_the_case_back_with_a_notice_naming_the_identity(people, clock, signed_in) -> None:
    case, claim = claimed_case(people)
    clerk = signed_in(people.clerk)
    empty = clerk.post(f"/work/cases/{case.pk}/identity/refuse/", {"idempotency_key": key(), "identity-reason": " "})
    assert empty.status_code == 400 and "请填写理由。" in empty.content.decode()
    sent = clerk.post(
        f"/work/cases/{case.pk}/identity/refuse/",
        {"idempotency_key": key(), "identity-reason": "营业执照与信用代码不符"},
        follow=True,
    )
    assert "身份未获确认" in sent.content.decode()
    assert fresh(case).state == "CORRECTION_REQUESTED" and fresh(case).applicant == claim
    text = pdf_text(clerk.get(f"/work/cases/{case.pk}/notices/1.pdf").content)
    assert "申请人身份" in text and "营业执照与信用代码不符" in text
    assert people.applicant.name not in text
    portal = signed_in(people.other_user).get(f"/my/cases/{case.pk}/").content.decode()
    assert "营业执照与信用代码不符" in portal and people.applicant.name not in portal


@pytest.mark.parametrize("who", ["other_clerk", "supervisor", "applicant_user", "other_user"])
def test_only_the_window_of_the_case_confirms_or_refuses_an_identity(people, clock, signed_in, who) -> None:
    case, claim = claimed_case(people)
    client = signed_in(getattr(people, who))
    for action in ("confirm", "refuse"):
        response = client.post(
            f"/work/cases/{case.pk}/identity/{action}/", {"idempotency_key": key(), "identity-reason": "x"}
        )
        assert response.status_code in (403, 404), (who, action)
    assert fresh(case).applicant == claim and fresh(case).state == "SUBMITTED"
