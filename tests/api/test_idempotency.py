"""``Idempotency-Key`` through the API: a repeat answers the first response, with one effect."""

from __future__ import annotations

from typing import Any

import pytest

from lianban.cases.models import Case, CaseEvent
from lianban.common.models import IdempotencyKey
from lianban.licences.models import Licence
from tests.api.kit import Api, check_all_through_api, form_for, items_of, submit_through_api
from tests.cases.kit import RIC, FrozenClock, People, pdf

pytestmark = pytest.mark.django_db


def submission(people: People, applicant_id: int) -> dict[str, Any]:
    plan = Api().post("/api/things/KFG/plan", {"answers": {"area": 200}})
    return {"applicant": applicant_id, "thing": "KFG", "answers": {"area": 200}, "form": form_for(plan)}


def test_the_same_key_twice_submits_once_and_answers_the_same(people: People, clock: FrozenClock) -> None:
    api = Api(people.applicant_user)
    first = api.call("POST", "/api/cases/", submission(people, people.applicant.pk), key="k-1")
    second = api.call("POST", "/api/cases/", submission(people, people.applicant.pk), key="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.submitted").count() == 1


def test_a_repeat_answers_the_first_response_even_after_the_case_moved_on(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200})
    check_all_through_api(people.clerk, case)
    clerk = Api(people.clerk)
    accepted = clerk.post(f"/api/cases/{case['id']}/accept", {}, key="accept-once")
    gssl = items_of(clerk, case["id"])["SCJG-GSSL"]
    reviewer = Api(people.reviewer("SCJG"))
    reviewer.post(f"/api/item-cases/{gssl['id']}/accept")
    assert Api(people.supervisor).get(f"/api/cases/{case['id']}")["version"] > accepted["version"]

    again = clerk.call("POST", f"/api/cases/{case['id']}/accept", {}, key="accept-once")
    assert (again.status_code, again.json()) == (200, accepted)
    assert CaseEvent.objects.filter(case_id=case["id"], action="case.accepted").count() == 1
    # without the key, the repeat is a new request, refused by the state machine
    refused = clerk.post(f"/api/cases/{case['id']}/accept", {}, expect=409)
    assert refused["code"] == "transition-not-allowed"


def test_uploads_checks_and_approvals_take_effect_once(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200}, skip=["GSZC"])
    applicant = Api(people.applicant_user)
    path = f"/api/cases/{case['id']}/materials/GSZC"
    first = applicant.post(path, {"file": pdf("zc.pdf")}, multipart=True, key="up-1")
    assert applicant.post(path, {"file": pdf("other.pdf")}, multipart=True, key="up-1") == first
    events = CaseEvent.objects.filter(case_id=case["id"], action__startswith="material.", after__material="GSZC")
    assert [e.action for e in events] == ["material.uploaded"]

    checks = {"checks": [{"material": "GSZC", "result": "WRONG", "reason": "缺页"}]}
    clerk = Api(people.clerk)
    round_ = clerk.post(f"/api/cases/{case['id']}/checks", checks, key="chk-1")
    assert [(c["material"], c["result"]) for c in round_["checks"]] == [("GSZC", "WRONG")]
    assert clerk.post(f"/api/cases/{case['id']}/checks", checks, key="chk-1") == round_
    assert CaseEvent.objects.filter(case_id=case["id"], action="intake.checked").count() == 1

    check_all_through_api(people.clerk, case)
    clerk.post(f"/api/cases/{case['id']}/accept", {})
    gssl = items_of(clerk, case["id"])["SCJG-GSSL"]
    reviewer = Api(people.reviewer("SCJG"))
    reviewer.post(f"/api/item-cases/{gssl['id']}/accept")
    body = {"licence_number": "YYZZ-42"}
    approved = reviewer.post(f"/api/item-cases/{gssl['id']}/approve", body, key="approve-1")
    assert reviewer.post(f"/api/item-cases/{gssl['id']}/approve", body, key="approve-1") == approved
    assert Licence.objects.filter(number="YYZZ-42").count() == 1


def test_the_same_key_of_two_users_is_two_keys(people: People, clock: FrozenClock) -> None:
    mine = Api(people.applicant_user).post("/api/cases/", submission(people, people.applicant.pk), key="k", expect=201)
    theirs = Api(people.other_user).post(
        "/api/cases/", submission(people, people.other_applicant.pk), key="k", expect=201
    )
    assert mine["id"] != theirs["id"]
    assert (mine["applicant"]["id"], theirs["applicant"]["id"]) == (people.applicant.pk, people.other_applicant.pk)
    assert IdempotencyKey.objects.filter(key="k").count() == 2


def test_a_key_used_for_another_operation_is_refused(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200})
    applicant = Api(people.applicant_user)
    applicant.post(f"/api/cases/{case['id']}/withdraw", {"reason": "不办了"}, key="k-w")
    reused = applicant.post(f"/api/cases/{case['id']}/resubmit", key="k-w", expect=409)
    assert reused["code"] == "idempotency-key-reused"


def test_a_failed_request_does_not_use_up_its_key(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200})
    clerk = Api(people.clerk)
    assert clerk.post(f"/api/cases/{case['id']}/accept", {}, key="retry", expect=409)["code"] == "intake-incomplete"
    assert not IdempotencyKey.objects.filter(key="retry").exists()
    check_all_through_api(people.clerk, case)
    assert clerk.post(f"/api/cases/{case['id']}/accept", {}, key="retry")["state"] == "IN_PROGRESS"


def test_registering_an_applicant_with_a_key(people: People, clock: FrozenClock) -> None:
    user = Api(people.other_user)
    body = {"kind": "person", "id_number": RIC, "name": "王五", "contact_name": "王五", "contact_phone": "1"}
    first = user.post("/api/applicants/", body, key="reg-1", expect=201)
    assert user.post("/api/applicants/", {**body, "name": "改名"}, key="reg-1", expect=201) == first
    assert first["name"] == "王五"


def test_a_key_longer_than_the_column_is_refused(people: People, clock: FrozenClock) -> None:
    answer = Api(people.applicant_user).post(
        "/api/cases/", submission(people, people.applicant.pk), key="x" * 101, expect=400
    )
    assert list(answer["fields"]) == ["Idempotency-Key"]
    assert Case.objects.count() == 0
