"""The case API's contract: the error shape for each kind of error, filters and pages, the window's submission."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from lianban.cases.models import Case
from lianban.catalog.models import Department, Material
from lianban.licences.services import licence_record
from lianban.supervision.services import deadline_sweep
from tests.api.kit import Api, check_all_through_api, form_for, results, submit_through_api
from tests.cases.kit import HOTEL, FrozenClock, People, pdf, submit

pytestmark = pytest.mark.django_db


def hotel_body(people: People) -> dict[str, object]:
    plan = Api().post("/api/things/KJD/plan", {"answers": HOTEL})
    return {"applicant": people.applicant.pk, "thing": "KJD", "answers": HOTEL, "form": form_for(plan)}


def test_a_form_that_does_not_fit_the_plan_is_400_with_a_problem_per_field(people: People, clock: FrozenClock) -> None:
    body = hotel_body(people)
    form = dict(body["form"])  # type: ignore[call-overload]
    form.pop("company_name")
    form["colour"] = "red"
    answer = Api(people.applicant_user).post("/api/cases/", {**body, "form": form}, expect=400)
    assert answer["code"] == "form-invalid"
    assert answer["fields"] == {
        "company_name": ["Please fill in 企业名称."],
        "colour": ["colour is not a field of this application."],
    }


def test_form_values_are_checked_by_type_and_named_by_their_label_in_chinese(
    people: People, clock: FrozenClock
) -> None:
    body = hotel_body(people)
    form = dict(body["form"])  # type: ignore[call-overload]
    form.update(legal_person_id_no="110105194912310021", project_type="拆除", bed_count=1.5, central_ac="maybe")
    api = Api(people.applicant_user)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    answer = api.post("/api/cases/", {**body, "form": form}, expect=400)
    assert answer["code"] == "form-invalid"
    assert answer["fields"] == {
        "legal_person_id_no": ["法定代表人身份证号码：最后一位校验码不符，请检查是否输错。"],
        "project_type": ["工程类别：请从新建、扩建、改建、装修中选择一项。"],
        "bed_count": ["床位数应为整数。"],
        "central_ac": ["是否使用集中空调通风系统：请选择是或否。"],
    }
    # typed values are stored typed
    form.update(legal_person_id_no="11010519491231002x", project_type="装修", bed_count="120", central_ac="true")
    created = api.post("/api/cases/", {**body, "form": form}, expect=201)
    case = Case.objects.get(pk=created["id"])
    assert (case.form["legal_person_id_no"], case.form["bed_count"], case.form["central_ac"]) == (
        "11010519491231002X",
        120,
        True,
    )
    assert case.plan["field_definitions"][0]["label"] == "企业名称"


def test_bad_answers_unknown_things_and_malformed_bodies_are_400(people: People, clock: FrozenClock) -> None:
    api = Api(people.applicant_user)
    body = hotel_body(people)
    answers = api.post("/api/cases/", {**body, "answers": {"area": -5}}, expect=400)
    assert answers["code"] == "answers-invalid"
    assert set(answers["fields"]) == {"area", "central_ac", "has_catering"}
    assert api.post("/api/cases/", {**body, "thing": "NOPE"}, expect=400)["code"] == "thing-unknown"
    shape = api.post("/api/cases/", {"applicant": "me", "thing": "KJD"}, expect=400)
    assert (shape["code"], set(shape["fields"])) == ("invalid", {"applicant", "answers", "form"})
    broken = api.client.post("/api/cases/", data="{not json", content_type="application/json")
    assert (broken.status_code, broken.json()["code"]) == (400, "parse_error")


def test_an_upload_to_a_material_that_is_not_in_the_plan_is_400(people: People, clock: FrozenClock) -> None:
    case = Api(people.applicant_user).post("/api/cases/", hotel_body(people), expect=201)
    answer = Api(people.applicant_user).post(
        f"/api/cases/{case['id']}/materials/YYZZ", {"file": pdf()}, multipart=True, expect=400
    )
    assert answer["code"] == "material-unknown"
    missing = Api(people.applicant_user).post(f"/api/cases/{case['id']}/materials/GSZC", {}, multipart=True, expect=400)
    assert list(missing["fields"]) == ["file"]


def test_an_anonymous_caller_gets_403_not_authenticated_and_an_unknown_case_404(people: People) -> None:
    anonymous = Api().call("GET", "/api/cases/")
    assert (anonymous.status_code, anonymous.json()["code"]) == (403, "not_authenticated")
    unknown = Api(people.supervisor).get("/api/cases/999999", expect=404)
    assert unknown == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_a_forbidden_action_says_why(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    answer = Api(people.supervisor).post(f"/api/cases/{case['id']}/withdraw", {"reason": "x"}, expect=403)
    assert answer == {
        "code": "permission_denied",
        "message": "only the applicant withdraws an application",
        "fields": {},
    }


def test_registering_an_identity_registered_by_others_answers_as_a_new_identity_does(people: People) -> None:
    """Same status, same keys, the typed values: the answer does not tell whether the number is registered."""
    api = Api(people.other_user)

    def register(number: str) -> dict[str, object]:
        body = {"kind": "enterprise", "id_number": number, "name": "冒名", "contact_name": "x", "contact_phone": "1"}
        answer = api.post("/api/applicants/", body, expect=201)
        assert isinstance(answer, dict)
        return answer

    held = register(people.applicant.id_number.lower())
    new = register("91350100M000100Y43")
    assert list(held) == list(new)
    same = ("kind", "name", "contact_name", "contact_phone", "address")
    assert [held[key] for key in same] == [new[key] for key in same] == ["enterprise", "冒名", "x", "1", ""]
    assert held["id_number"] == people.applicant.id_number and held["id"] != people.applicant.pk
    assert not people.applicant.memberships.filter(user=people.other_user).exists()
    listed = results(api.get("/api/applicants/"))
    assert people.applicant.pk not in [a["id"] for a in listed]
    assert {a["name"] for a in listed} == {"别家公司", "冒名"}
    assert all(set(a) == set(new) for a in listed)  # nothing says which one is a claim
    api.get(f"/api/applicants/{people.applicant.pk}", expect=404)
    assert api.get(f"/api/applicants/{held['id']}")["name"] == "冒名"
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="HELD-1",
        holder=people.applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2020, 1, 2),
    )
    assert "HELD-1" in str(Api(people.applicant_user).get("/api/licences/"))
    assert "HELD-1" not in str(api.get("/api/licences/"))


def test_a_case_of_a_claim_is_not_accepted_through_the_api_before_the_window_checks_the_identity(
    people: People, clock: FrozenClock
) -> None:
    claimant = Api(people.other_user)
    body = {"kind": "enterprise", "id_number": people.applicant.id_number, "name": "冒名", "contact_name": "x"}
    claim = claimant.post("/api/applicants/", {**body, "contact_phone": "1"}, expect=201)
    case = claimant.post("/api/cases/", {**hotel_body(people), "applicant": claim["id"]}, expect=201)
    check_all_through_api(people.clerk, case)
    clerk = Api(people.clerk)
    refused = clerk.post(f"/api/cases/{case['id']}/accept", {}, expect=409)
    assert (refused["code"], list(refused["fields"])) == ("intake-incomplete", ["applicant"])
    claimant.post(f"/api/cases/{case['id']}/identity/confirm", {}, expect=403)
    Api(people.other_clerk).post(f"/api/cases/{case['id']}/identity/confirm", {}, expect=404)
    assert clerk.post(f"/api/cases/{case['id']}/identity/refuse", {"reason": ""}, expect=400)["code"] == "invalid"
    notice = clerk.post(f"/api/cases/{case['id']}/identity/refuse", {"reason": "证件不符"}, expect=200)
    assert [(p["code"], p["result"], p["reason"]) for p in notice["problems"]] == [("applicant", "WRONG", "证件不符")]
    assert claimant.get(f"/api/cases/{case['id']}/correction-notice")["problems"] == notice["problems"]
    claimant.post(f"/api/cases/{case['id']}/resubmit", {}, expect=200)
    confirmed = clerk.post(f"/api/cases/{case['id']}/identity/confirm", {}, expect=200)
    assert confirmed["state"] == "RESUBMITTED"
    assert clerk.post(f"/api/cases/{case['id']}/identity/confirm", {}, expect=409)["code"] == "identity-not-claimed"
    check_all_through_api(people.clerk, case)
    assert clerk.post(f"/api/cases/{case['id']}/accept", {}, expect=200)["state"] == "IN_PROGRESS"
    assert people.applicant.pk in [a["id"] for a in results(claimant.get("/api/applicants/"))]
    bad = Api(people.other_user).post(
        "/api/applicants/",
        {"kind": "enterprise", "id_number": "123", "name": "", "contact_name": "x", "contact_phone": "1"},
        expect=400,
    )
    assert bad["code"] == "invalid"
    assert set(bad["fields"]) == {"name"}
    wrong_number = Api(people.other_user).post(
        "/api/applicants/",
        {"kind": "enterprise", "id_number": "123", "name": "x", "contact_name": "x", "contact_phone": "1"},
        expect=400,
    )
    assert (wrong_number["code"], list(wrong_number["fields"])) == ("applicant-invalid", ["id_number"])


def test_a_clerk_submits_at_the_window(people: People, clock: FrozenClock) -> None:
    case = Api(people.clerk).post("/api/cases/", hotel_body(people), expect=201)
    assert case["channel"] == "WINDOW"
    assert case["id"] in [c["id"] for c in results(Api(people.applicant_user).get("/api/cases/"))]


def test_supervisors_filter_cases_and_read_them_a_page_at_a_time(people: People, clock: FrozenClock) -> None:
    hotel = submit_through_api(people, answers=HOTEL)
    shop = submit_through_api(people, thing="KFG", answers={"area": 200})
    check_all_through_api(people.clerk, hotel)
    Api(people.clerk).post(f"/api/cases/{hotel['id']}/accept", {})
    supervisor = Api(people.supervisor)

    def ids(**params: object) -> list[int]:
        return [c["id"] for c in results(supervisor.get("/api/cases/", params))]

    assert ids() == [shop["id"], hotel["id"]]
    assert ids(state="IN_PROGRESS") == [hotel["id"]]
    assert ids(thing="KFG") == [shop["id"]]
    assert ids(department="GA") == [hotel["id"]]
    assert ids(overdue="true") == []
    clock.working_days(3)
    deadline_sweep()
    assert ids(overdue="true") == [hotel["id"]]
    assert ids(overdue="false") == [shop["id"]]
    overdue = results(supervisor.get("/api/supervision/overdue"))
    assert [(row["code"], row["case"]["id"]) for row in overdue] == [("SCJG-GSSL", hotel["id"])]
    bad = supervisor.get("/api/cases/", {"state": "LOST"}, expect=400)
    assert list(bad["fields"]) == ["state"]

    first = supervisor.get("/api/cases/", {"page_size": 1})
    assert ([c["id"] for c in first["results"]], first["previous"]) == ([shop["id"]], None)
    second = supervisor.get(first["next"])
    assert ([c["id"] for c in second["results"]], second["next"]) == ([hotel["id"]], None)
    back = supervisor.get(second["previous"])
    assert ([c["id"] for c in back["results"]], back["previous"]) == ([shop["id"]], None)
    bad = supervisor.get("/api/cases/", {"cursor": "not-a-cursor"}, expect=400)
    assert list(bad["fields"]) == ["cursor"]


def test_cases_are_found_by_tracking_code_applicant_and_date(people: People, clock: FrozenClock) -> None:
    hotel = submit_through_api(people, answers=HOTEL)
    clock.working_days(2)
    shop = submit_through_api(people, thing="KFG", answers={"area": 200})
    supervisor = Api(people.supervisor)

    def ids(**params: object) -> list[int]:
        return [c["id"] for c in results(supervisor.get("/api/cases/", params))]

    assert ids(code=hotel["code"].lower().replace("-", "")) == [hotel["id"]]
    assert ids(code="0000-0000-0000") == []
    assert ids(applicant=people.applicant.name[:4]) == [shop["id"], hotel["id"]]
    assert ids(applicant=people.other_applicant.name) == []
    assert ids(applicant=people.applicant.id_number) == [shop["id"], hotel["id"]]
    assert ids(submitted_from=clock.today().isoformat()) == [shop["id"]]
    assert ids(submitted_to=(clock.today() - timedelta(days=1)).isoformat()) == [hotel["id"]]
    assert list(supervisor.get("/api/cases/", {"submitted_from": "someday"}, expect=400)["fields"]) == [
        "submitted_from"
    ]


def test_tracking_codes_are_read_tolerantly(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200})
    code = case["code"]
    for typed in (code, code.lower(), code.replace("-", "")):
        assert Api().get(f"/api/track/{typed}")["code"] == code
    assert Api().get("/api/track/not-a-code", expect=404)["code"] == "not_found"


def test_a_result_document_travels_with_the_licence_to_later_items(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    check_all_through_api(people.clerk, case)
    Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {})
    gssl = next(i for i in Api(people.supervisor).get(f"/api/cases/{case['id']}")["items"] if i["code"] == "SCJG-GSSL")
    scjg = Api(people.reviewer("SCJG"))
    scjg.post(f"/api/item-cases/{gssl['id']}/accept")
    approved = scjg.post(
        f"/api/item-cases/{gssl['id']}/approve",
        {"licence_number": "YYZZ-77", "valid_until": "2030-12-31", "document": pdf("yyzz.pdf")},
        multipart=True,
    )
    assert (approved["state"], approved["licence_number"], approved["valid_until"]) == (
        "APPROVED",
        "YYZZ-77",
        "2030-12-31",
    )
    download = Api(people.supervisor).call("GET", f"/api/cases/{case['id']}/materials/YYZZ")
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # GA's item needs it too, but waits: its reviewer sees nothing of the case yet
    assert Api(people.reviewer("GA")).call("GET", f"/api/cases/{case['id']}/materials/YYZZ").status_code == 404
    # a result not produced yet has nothing to download
    assert Api(people.supervisor).call("GET", f"/api/cases/{case['id']}/materials/XFJCYJS").status_code == 404


def test_nested_input_problems_are_named_by_their_path(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, thing="KFG", answers={"area": 200})
    checks = {"checks": [{"material": "GSZC", "result": "OK"}, {"material": "RZWJ", "result": "WRONG"}]}
    answer = Api(people.clerk).post(f"/api/cases/{case['id']}/checks", checks, expect=400)
    assert answer["fields"] == {"checks.1.reason": ["say what is missing or wrong"]}
    empty = Api(people.clerk).post(f"/api/cases/{case['id']}/checks", {"checks": []}, expect=400)
    assert list(empty["fields"]) == ["checks"]


def test_a_due_date_in_a_year_the_calendar_lacks_is_unknown_and_says_why(
    people: People, clock: FrozenClock, settings: Any
) -> None:
    settings.LIANBAN_PROVISIONAL_YEARS = 0  # no provisional calendar for 2027
    clock.set(date(2026, 12, 21))  # the calendar covers 2026, not 2027
    case = submit_through_api(people, answers=HOTEL)
    check_all_through_api(people.clerk, case)
    Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {})
    gssl = next(i for i in Api(people.supervisor).get(f"/api/cases/{case['id']}")["items"] if i["code"] == "SCJG-GSSL")
    Api(people.reviewer("SCJG")).post(f"/api/item-cases/{gssl['id']}/accept")
    Api(people.reviewer("SCJG")).post(f"/api/item-cases/{gssl['id']}/approve", {"licence_number": "YYZZ-2026"})
    xfsj = next(i for i in Api(people.supervisor).get(f"/api/cases/{case['id']}")["items"] if i["code"] == "ZJ-XFSJ")
    assert (xfsj["state"], xfsj["due_on"], xfsj["due_status"], xfsj["due_year_missing"]) == (
        "DISPATCHED",
        None,
        "UNKNOWN",
        2027,
    )
    public = Api().get(f"/api/track/{case['code']}")
    tracked = next(i for stage in public["stages"] for i in stage["items"] if i["code"] == "ZJ-XFSJ")
    assert tracked["due_status"] == "UNKNOWN"
    assert "2027" in tracked["due_note"]
    assert public["eta"] is None


def test_items_before_acceptance_are_waiting_for_acceptance_not_for_earlier_items(people: People) -> None:
    case = submit(people)
    progress = Api(people.applicant_user).get(f"/api/cases/{case.pk}/progress")
    first = progress["stages"][0]["items"][0]
    later = progress["stages"][-1]["items"][0]
    assert first["state"] == later["state"] == "WAITING"
    assert first["state_label"] == later["state_label"] == "waiting for acceptance"
