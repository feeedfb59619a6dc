"""A hotel (我要开酒店、宾馆, KJD) from answers to results through the REST API only, with every role.

Also the other ways a case ends: refusal at the window, a rejected item
(dependents cancelled, independent items go on, partly approved), withdrawal,
and acceptance by operation of law through the sweep command.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest

from lianban.cases.models import ItemCase
from tests.api.kit import (
    Api,
    by_code,
    check_all_through_api,
    decide_through_api,
    every_row,
    form_for,
    items_of,
    results,
    submit_through_api,
)
from tests.cases.kit import HOTEL, HOTEL_STAGES, SAMPLE_PERSONAL, FrozenClock, People, pdf

pytestmark = pytest.mark.django_db

LICENCES = {
    "SCJG-GSSL": "YYZZ-001",
    "SCJG-SPJY": "JY-001",
    "ZJ-XFSJ": "XFSJ-001",
    "STHJ-HPBA": "HP-001",
    "WJ-GGWS": "WS-001",
    "CG-HWGG": "HW-001",
    "ZJ-XFYS": "XFYS-001",
    "XF-JCXK": "XFJC-001",
    "GA-TZHY": "TZ-001",
}


def assert_no_personal_data(public: dict[str, Any], people: People) -> None:
    text = repr(public)
    for secret in (
        people.applicant.name,
        people.applicant.id_number,
        people.applicant.contact_name,
        people.applicant.contact_phone,
        *SAMPLE_PERSONAL,
        ".pdf",
    ):
        assert secret not in text
    assert set(public) == {
        "code",
        "thing",
        "thing_name",
        "state",
        "state_label",
        "outcome",
        "submitted_on",
        "accepted_on",
        "ready_on",
        "eta",
        "eta_provisional",
        "stages",
    }
    for stage in public["stages"]:
        for item in stage["items"]:
            assert set(item) == {
                "code",
                "name",
                "department",
                "state",
                "state_label",
                "due_status",
                "due_note",
                "held",
                "started_on",
                "due_on",
                "due_provisional",
                "finished_on",
            }


def tracked(code: str) -> dict[str, Any]:
    """The public tracking page's data, typed sloppily (lower case, no dashes), without signing in."""
    return Api().get(f"/api/track/{code.lower().replace('-', '')}")


def item_states(api: Api, case_id: int) -> dict[str, str]:
    return {code: item["state"] for code, item in items_of(api, case_id).items()}


def test_the_hotel_journey_through_the_api_with_every_role(people: People, clock: FrozenClock) -> None:
    anonymous = Api()
    applicant = Api(people.applicant_user)
    clerk = Api(people.clerk)
    supervisor = Api(people.supervisor)
    reviewer = {code: Api(user) for code, user in people.reviewers.items()}

    # answers → plan, for anyone
    plan = anonymous.post("/api/things/KJD/plan", {"answers": HOTEL})
    assert plan["stages"] == HOTEL_STAGES
    to_submit = [m["code"] for m in plan["materials"] if m["provenance"] == "submit"]

    # the applicant user acts for one applicant
    assert [a["id"] for a in results(applicant.get("/api/applicants/"))] == [people.applicant.pk]

    # submit; the same request again (same key) is the same case
    body = {"applicant": people.applicant.pk, "thing": "KJD", "answers": HOTEL, "form": form_for(plan)}
    created = applicant.post("/api/cases/", body, expect=201, key="submit-hotel-1")
    again = applicant.call("POST", "/api/cases/", body, key="submit-hotel-1")
    assert (again.status_code, again.json()) == (201, created)
    assert again["Idempotent-Replayed"] == "true"
    case_id, code = created["id"], created["code"]
    assert results(applicant.get("/api/cases/"))[0]["id"] == case_id
    assert len(results(applicant.get("/api/cases/"))) == 1
    assert (created["state"], created["channel"], created["thing"]["code"]) == ("SUBMITTED", "ONLINE", "KJD")
    assert len(code) == 14
    assert created["eta"] is not None
    materials = by_code(created["materials"])
    assert (materials["YYZZ"]["provenance"], materials["YYZZ"]["state"]) == ("produced", "AWAITING_RESULT")
    assert materials["YYZZ"]["produced_by"] == "SCJG-GSSL"
    assert {item["state"] for item in created["items"]} == {"WAITING"}

    # upload every file but two; a text file is refused with the reason
    for material in to_submit:
        if material not in ("GSZC", "WSJC"):
            uploaded = applicant.post(
                f"/api/cases/{case_id}/materials/{material}", {"file": pdf(f"{material}.pdf")}, multipart=True
            )
            assert (uploaded["state"], uploaded["file"]["content_type"]) == ("RECEIVED", "application/pdf")
    refused = applicant.post(
        f"/api/cases/{case_id}/materials/GSZC",
        {"file": SimpleUploadedFile("zc.txt", b"just words, not a document")},
        multipart=True,
        expect=400,
    )
    assert refused["code"] == "upload-refused"
    assert "not accepted" in refused["fields"]["file"][0]
    public = tracked(code)
    assert public["state"] == "SUBMITTED"
    assert_no_personal_data(public, people)

    # intake round 1 at the lead department's window: GSZC missing, RZWJ wrong → one correction notice
    assert case_id in [c["id"] for c in results(clerk.get("/api/intake/queue"))]
    check_all_through_api(
        people.clerk,
        created,
        {"GSZC": ("MISSING", "公司章程未提交"), "RZWJ": ("WRONG", "任职文件未签字"), "WSJC": ("OK", "")},
    )
    blocked = clerk.post(f"/api/cases/{case_id}/accept", {}, expect=409)
    assert blocked["code"] == "intake-incomplete"
    assert set(blocked["fields"]) == {"GSZC", "RZWJ"}
    notice = clerk.post(f"/api/cases/{case_id}/request-correction")
    assert [(p["code"], p["result"], p["reason"]) for p in notice["problems"]] == [
        ("GSZC", "MISSING", "公司章程未提交"),
        ("RZWJ", "WRONG", "任职文件未签字"),
    ]
    assert applicant.get(f"/api/cases/{case_id}/correction-notice") == notice
    assert applicant.get(f"/api/cases/{case_id}")["state"] == "CORRECTION_REQUESTED"
    assert clerk.get(f"/api/cases/{case_id}/receipt", expect=404)["code"] == "not_found"

    # resupply: the wrong file is replaced, the missing one uploaded; resubmit
    old = by_code(applicant.get(f"/api/cases/{case_id}")["materials"])["RZWJ"]["file"]
    replaced = applicant.post(f"/api/cases/{case_id}/materials/RZWJ", {"file": pdf("rz-signed.pdf")}, multipart=True)
    assert replaced["file"]["original_name"] == "rz-signed.pdf" != old["original_name"]
    applicant.post(f"/api/cases/{case_id}/materials/GSZC", {"file": pdf("zc.pdf")}, multipart=True)
    assert applicant.post(f"/api/cases/{case_id}/resubmit")["state"] == "RESUBMITTED"

    # intake round 2: all fine but the tolerable WSJC, accepted against a written promise (容缺)
    check_all_through_api(people.clerk, created, {"WSJC": ("MISSING", "检测报告尚未出具")})
    assert clerk.post(f"/api/cases/{case_id}/accept", {}, expect=409)["fields"] == {
        "WSJC": ["missing, and no written promise (容缺) was given"]
    }
    accepted = clerk.post(
        f"/api/cases/{case_id}/accept",
        {"promises": [{"material": "WSJC", "due": "2025-03-20", "text": "承诺十日内补交"}]},
        key="accept-1",
    )
    assert (accepted["state"], accepted["acceptance"]) == ("IN_PROGRESS", "DECISION")
    assert clerk.post(f"/api/cases/{case_id}/accept", {}, key="accept-1") == accepted  # replayed, no second effect
    receipt = applicant.get(f"/api/cases/{case_id}/receipt")
    assert receipt["deemed"] is False
    assert [(p["code"], p["due"]) for p in receipt["promised"]] == [("WSJC", "2025-03-20")]
    assert {r["code"] for r in receipt["received"]} == {m for m in to_submit if m != "WSJC"}
    assert by_code(accepted["materials"])["WSJC"]["promise"] == {"due": "2025-03-20", "text": "承诺十日内补交"}

    # stage 1 only
    states = item_states(supervisor, case_id)
    assert states["SCJG-GSSL"] == "DISPATCHED"
    assert {states[c] for stage in HOTEL_STAGES[1:] for c in stage} == {"WAITING"}
    queue = results(reviewer["SCJG"].get("/api/item-cases/"))
    assert [(row["code"], row["case"]["id"], row["due_on"]) for row in queue] == [("SCJG-GSSL", case_id, "2025-03-04")]
    assert results(reviewer["GA"].get("/api/item-cases/")) == []
    assert tracked(code)["stages"][0]["items"][0]["state"] == "DISPATCHED"
    decide_through_api(people, case_id, "SCJG-GSSL", number=LICENCES["SCJG-GSSL"])

    # stage 2 starts by itself, in parallel; the business licence flowed to the items that need it
    items = items_of(supervisor, case_id)
    assert {items[c]["state"] for c in HOTEL_STAGES[1]} == {"DISPATCHED"}
    assert [c for c, item in items.items() if item["held"]] == ["WJ-GGWS"]
    ggws = reviewer["WJ"].get(f"/api/item-cases/{items['WJ-GGWS']['id']}")
    yyzz = by_code(ggws["materials"])["YYZZ"]
    assert (yyzz["state"], yyzz["licence"]["number"], yyzz["licence"]["department"]["code"]) == (
        "RECEIVED",
        "YYZZ-001",
        "SCJG",
    )
    assert "GSZC" not in by_code(ggws["materials"])  # the company statute is not the health licence's business

    # 补正 on the food licence: the clock stops, and on supply the due date moves by the paused working days
    spjy_id = items["SCJG-SPJY"]["id"]
    assert items["SCJG-SPJY"]["due_on"] == "2025-03-10"
    reviewer["SCJG"].post(f"/api/item-cases/{spjy_id}/accept")
    paused = reviewer["SCJG"].post(f"/api/item-cases/{spjy_id}/request-supplement", {"reason": "布局图不清晰"})
    assert (paused["state"], paused["paused_since"]) == ("SUPPLEMENT", "2025-03-03")
    assert paused["supplements"][0]["reason"] == "布局图不清晰"
    clock.working_days(2)  # Wednesday
    supplied = applicant.post(
        f"/api/item-cases/{spjy_id}/supply", {"note": "已重新提交", "file": pdf("plan.pdf")}, multipart=True
    )
    assert (supplied["state"], supplied["paused_days"], supplied["due_on"]) == ("IN_REVIEW", 2, "2025-03-12")
    assert supplied["supplements"][0]["original_name"] == "plan.pdf"

    # the held item cannot be approved until the promised material arrives
    ggws_id = items["WJ-GGWS"]["id"]
    reviewer["WJ"].post(f"/api/item-cases/{ggws_id}/accept")
    held = reviewer["WJ"].post(f"/api/item-cases/{ggws_id}/approve", {"licence_number": "WS-001"}, expect=409)
    assert held["code"] == "item-held"
    applicant.post(f"/api/cases/{case_id}/materials/WSJC", {"file": pdf("wsjc.pdf")}, multipart=True)
    assert items_of(supervisor, case_id)["WJ-GGWS"]["held"] is False
    reviewer["WJ"].post(f"/api/item-cases/{ggws_id}/approve", {"licence_number": "WS-001"})

    for item_code in ("SCJG-SPJY", "STHJ-HPBA", "CG-HWGG"):
        decide_through_api(people, case_id, item_code, number=LICENCES[item_code])
    # later stages start by themselves: fire acceptance waits for the fire design review only
    assert item_states(supervisor, case_id)["ZJ-XFYS"] == "WAITING"
    decide_through_api(people, case_id, "ZJ-XFSJ", number=LICENCES["ZJ-XFSJ"])
    assert item_states(supervisor, case_id)["ZJ-XFYS"] == "DISPATCHED"
    decide_through_api(people, case_id, "ZJ-XFYS", number=LICENCES["ZJ-XFYS"])
    decide_through_api(people, case_id, "XF-JCXK", number=LICENCES["XF-JCXK"])
    assert item_states(supervisor, case_id)["GA-TZHY"] == "DISPATCHED"
    not_ready = clerk.post(f"/api/cases/{case_id}/issue", {"method": "PICKUP"}, expect=409)
    assert not_ready["code"] == "transition-not-allowed"
    assert clerk.get(f"/api/cases/{case_id}/bill", expect=404)["code"] == "not_found"
    decide_through_api(people, case_id, "GA-TZHY", number=LICENCES["GA-TZHY"])

    # ready: one bill, a line per approved item, fees from the frozen plan; pay, then issue everything at once
    ready = applicant.get(f"/api/cases/{case_id}")
    assert (ready["state"], ready["outcome"]) == ("READY", "APPROVED")
    bill = applicant.get(f"/api/cases/{case_id}/bill")
    assert (bill["total"], bill["status"], len(bill["lines"])) == ("70.00", "OPEN", 9)
    assert {line["item"]: line["amount"] for line in bill["lines"] if line["amount"] != "0.00"} == {
        "WJ-GGWS": "20.00",
        "CG-HWGG": "50.00",
    }
    unpaid = clerk.post(f"/api/cases/{case_id}/issue", {"method": "PICKUP"}, expect=409)
    assert unpaid["code"] == "bill-unsettled"
    assert clerk.post(f"/api/cases/{case_id}/issue", {"method": "MAIL"}, expect=400)["fields"] == {
        "tracking_number": ["a mail tracking number is required"]
    }
    paid = clerk.post(f"/api/cases/{case_id}/bill/pay", {"reference": "POS-778899"}, key="pay-1")
    assert (paid["status"], paid["payments"][0]["reference"]) == ("PAID", "POS-778899")
    assert clerk.post(f"/api/cases/{case_id}/bill/pay", {"reference": "POS-778899"}, key="pay-1") == paid
    assert clerk.post(f"/api/cases/{case_id}/bill/pay", {"reference": "POS-1"}, expect=409)["code"] == "bill-not-open"
    issued = clerk.post(f"/api/cases/{case_id}/issue", {"method": "MAIL", "tracking_number": "SF1234567890"})
    assert (issued["method"], issued["tracking_number"], len(issued["documents"])) == ("MAIL", "SF1234567890", 9)
    final = applicant.get(f"/api/cases/{case_id}")
    assert (final["state"], final["eta"], final["issuance"]["method"]) == ("ISSUED", None, "MAIL")

    # the results are in the licence library: the holder sees all nine, the department only its own
    assert results(applicant.get("/api/licences/"))
    assert len(results(applicant.get("/api/licences/"))) == 9
    assert {row["number"] for row in results(reviewer["SCJG"].get("/api/licences/"))} == {"YYZZ-001", "JY-001"}
    licence = results(applicant.get("/api/licences/", {"holder": people.applicant.pk}))[0]
    assert applicant.get(f"/api/licences/{licence['id']}")["produced_by"]["case"] == code

    # the applicant was told at every step that matters
    kinds = [n["kind"] for n in results(applicant.get("/api/notifications/"))]
    for kind in ("SUBMITTED", "CORRECTION", "ACCEPTED", "SUPPLEMENT", "ITEM_DECIDED", "READY", "ISSUED"):
        assert kind in kinds
    assert results(Api(people.other_user).get("/api/notifications/")) == []

    # the audit trail: whole for the supervisor, in order; a reviewer reads the case's and their own items'
    assert applicant.get(f"/api/cases/{case_id}/events", expect=403)["code"] == "permission_denied"
    trail = [event["action"] for event in every_row(supervisor, f"/api/cases/{case_id}/events")]
    expected = [
        "case.submitted",
        "case.correction_requested",
        "case.resubmitted",
        "case.accepted",
        "item.dispatched",
        "item.approved",
        "item.supplement_requested",
        "item.supplied",
        "material.supplied",
        "case.ready",
        "bill.paid",
        "case.issued",
    ]
    positions = [trail.index(action) for action in expected]
    assert positions == sorted(positions)
    assert (trail.count("item.dispatched"), trail.count("item.approved")) == (9, 9)
    ga_trail = every_row(reviewer["GA"], f"/api/cases/{case_id}/events")
    assert {event["item"] for event in ga_trail} == {None, "GA-TZHY"}
    assert {event["action"].split(".")[0] for event in ga_trail if event["item"] is None} == {"case"}
    first = every_row(supervisor, f"/api/cases/{case_id}/events")[0]
    assert (first["actor"]["id"], first["actor_role"]) == (people.applicant_user.pk, "APPLICANT")

    # public tracking all along: progress by stage, no personal data
    public = tracked(code)
    assert [[i["code"] for i in stage["items"]] for stage in public["stages"]] == HOTEL_STAGES
    assert public["state"] == "ISSUED"
    assert_no_personal_data(public, people)
    assert applicant.get(f"/api/cases/{case_id}/progress") == public
    assert anonymous.get("/api/track/0000-0000-0000", expect=404)["code"] == "not_found"


def test_a_reviewer_sees_only_the_materials_their_items_need(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    assert Api(people.reviewer("GA")).call("GET", f"/api/cases/{case['id']}").status_code == 404  # GA's item waits
    ItemCase.objects.filter(case_id=case["id"], department__code="GA").update(state="IN_REVIEW")  # now it runs
    ga = Api(people.reviewer("GA")).get(f"/api/cases/{case['id']}")
    assert {m["code"] for m in ga["materials"]} == {"TZHYSQB", "YYZZ", "SFZ", "ZSSY", "XFJCYJS", "DLWZ", "KFPM", "ZAZD"}
    assert len(case["materials"]) > len(ga["materials"])
    download = Api(people.reviewer("GA")).call("GET", f"/api/cases/{case['id']}/materials/ZAZD")
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert Api(people.reviewer("GA")).call("GET", f"/api/cases/{case['id']}/materials/GSZC").status_code == 404


def test_a_rejected_item_cancels_its_dependents_and_the_others_go_on(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    check_all_through_api(people.clerk, case)
    Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {})
    decide_through_api(people, case["id"], "SCJG-GSSL")
    rejected = decide_through_api(people, case["id"], "ZJ-XFSJ", approve=False)
    assert (rejected["state"], rejected["reason"]) == ("REJECTED", "不符合条件")
    supervisor = Api(people.supervisor)
    items = items_of(supervisor, case["id"])
    assert {items[c]["state"] for c in ("ZJ-XFYS", "XF-JCXK", "GA-TZHY")} == {"CANCELLED"}
    assert all("不符合条件" in items[c]["reason"] for c in ("ZJ-XFYS", "XF-JCXK", "GA-TZHY"))
    assert {items[c]["state"] for c in ("SCJG-SPJY", "STHJ-HPBA", "WJ-GGWS", "CG-HWGG")} == {"DISPATCHED"}
    cancelled = [e for e in every_row(supervisor, f"/api/cases/{case['id']}/events") if e["action"] == "item.cancelled"]
    assert [(e["item"], e["after"]["because_of"]) for e in cancelled] == [
        ("ZJ-XFYS", "ZJ-XFSJ"),
        ("XF-JCXK", "ZJ-XFSJ"),
        ("GA-TZHY", "ZJ-XFSJ"),
    ]
    for code in ("SCJG-SPJY", "STHJ-HPBA", "WJ-GGWS", "CG-HWGG"):
        decide_through_api(people, case["id"], code)
    ready = supervisor.get(f"/api/cases/{case['id']}")
    assert (ready["state"], ready["outcome"]) == ("READY", "PARTLY_APPROVED")
    bill = Api(people.clerk).get(f"/api/cases/{case['id']}/bill")
    assert sorted(line["item"] for line in bill["lines"]) == [
        "CG-HWGG",
        "SCJG-GSSL",
        "SCJG-SPJY",
        "STHJ-HPBA",
        "WJ-GGWS",
    ]
    issued = Api(people.clerk).post(f"/api/cases/{case['id']}/bill/pay", {"reference": "R-1"})
    assert issued["status"] == "PAID"
    documents = Api(people.clerk).post(f"/api/cases/{case['id']}/issue", {"method": "PICKUP"})["documents"]
    assert {d["item"]: d["state"] for d in documents}["ZJ-XFSJ"] == "REJECTED"


def test_the_window_refuses_an_application_with_the_reason(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    clerk = Api(people.clerk)
    assert clerk.post(f"/api/cases/{case['id']}/refuse", {"reason": " "}, expect=400)["fields"]["reason"]
    refused = clerk.post(f"/api/cases/{case['id']}/refuse", {"reason": "不属于本窗口受理范围"})
    assert (refused["state"], refused["outcome"], refused["decision_reason"]) == (
        "REFUSED",
        "REFUSED",
        "不属于本窗口受理范围",
    )
    assert {item["state"] for item in refused["items"]} == {"CANCELLED"}
    assert clerk.post(f"/api/cases/{case['id']}/accept", {}, expect=409)["code"] == "transition-not-allowed"
    assert tracked(case["code"])["outcome"] == "REFUSED"


def test_the_applicant_withdraws_a_case_in_progress(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers=HOTEL)
    check_all_through_api(people.clerk, case)
    Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {})
    applicant = Api(people.applicant_user)
    assert applicant.post(f"/api/cases/{case['id']}/withdraw", {}, expect=400)["fields"] == {
        "reason": ["This field is required."]
    }
    assert Api(people.clerk).post(f"/api/cases/{case['id']}/withdraw", {"reason": "x"}, expect=403)
    withdrawn = applicant.post(f"/api/cases/{case['id']}/withdraw", {"reason": "不开了"})
    assert (withdrawn["state"], withdrawn["outcome"], withdrawn["eta"]) == ("WITHDRAWN", "WITHDRAWN", None)
    assert {item["state"] for item in withdrawn["items"]} == {"CANCELLED"}
    assert tracked(case["code"])["state"] == "WITHDRAWN"
    assert results(Api(people.reviewer("SCJG")).get("/api/item-cases/")) == []
    again = applicant.post(f"/api/cases/{case['id']}/withdraw", {"reason": "不开了"}, expect=409)
    assert again["code"] == "transition-not-allowed"


def test_a_case_left_without_a_decision_is_accepted_by_law_through_the_sweep(
    people: People, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    case = submit_through_api(people, answers=HOTEL, skip=["GSZC"])
    clock.working_days(5)
    call_command("deemed_acceptance")
    assert "0 case(s) deemed accepted" in capsys.readouterr().out
    assert Api(people.applicant_user).get(f"/api/cases/{case['id']}")["state"] == "SUBMITTED"
    clock.working_days(1)
    call_command("deemed_acceptance")
    assert "1 case(s) deemed accepted" in capsys.readouterr().out
    accepted = Api(people.applicant_user).get(f"/api/cases/{case['id']}")
    assert (accepted["state"], accepted["acceptance"]) == ("IN_PROGRESS", "DEEMED")
    receipt = Api(people.applicant_user).get(f"/api/cases/{case['id']}/receipt")
    assert (receipt["deemed"], receipt["deadline"]) == (True, date(2025, 3, 10).isoformat())
    assert item_states(Api(people.supervisor), case["id"])["SCJG-GSSL"] == "DISPATCHED"
    events = every_row(Api(people.supervisor), f"/api/cases/{case['id']}/events")
    deemed = next(e for e in events if e["action"] == "case.deemed_accepted")
    assert (deemed["actor"], deemed["actor_role"]) == (None, "SYSTEM")
    assert Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {}, expect=409)["code"] == "transition-not-allowed"
