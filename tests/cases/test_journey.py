"""A hotel (我要开酒店、宾馆, KJD) from answers to results, through the services only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lianban.cases.models import CaseState, Channel, ItemState, MaterialState, Notification
from lianban.cases.selectors import track
from lianban.cases.services import case_material_upload, case_resubmit
from lianban.catalog.selectors import compiled_thing
from lianban.core.case_errors import BillUnsettled, IntakeIncomplete, ItemHeld, TransitionRefused
from lianban.core.planner import plan
from lianban.core.tracking import format_code
from lianban.intake.selectors import acceptance_receipt, correction_notice_latest
from lianban.intake.services import MaterialPromise, intake_accept, intake_request_correction
from lianban.issuance.models import BillStatus
from lianban.issuance.selectors import bill_get
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.licences.models import Licence
from lianban.review.services import (
    item_case_approve,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)
from tests.cases.kit import (
    HOTEL,
    HOTEL_STAGES,
    SAMPLE_PERSONAL,
    FrozenClock,
    People,
    actions,
    check_all,
    fresh,
    items,
    material,
    pdf,
    states,
    submit,
    submit_codes,
)

pytestmark = pytest.mark.django_db

LICENCE_ITEMS = {
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


def approve(people: People, case_items: dict, code: str) -> None:  # type: ignore[type-arg]
    item = case_items[code]
    reviewer = people.reviewer(item.department.code)
    item_case_take(actor=reviewer, item_case_id=item.pk)
    item_case_approve(
        actor=reviewer, item_case_id=item.pk, licence_number=LICENCE_ITEMS[code], valid_until=date(2030, 12, 31)
    )


def test_hotel_journey_from_answers_to_paid_bill_and_issued_results(people: People, clock: FrozenClock) -> None:
    # answers → plan
    planned = plan(compiled_thing("KJD"), HOTEL)
    assert [list(stage) for stage in planned.stages] == HOTEL_STAGES

    # submit online, leaving out one material (a correction will be needed) and the 容缺 one
    case = submit(people, skip=["GSZC", "WSJC"])
    assert case.state == CaseState.SUBMITTED
    assert case.channel == Channel.ONLINE
    assert case.plan["stages"] == HOTEL_STAGES
    assert case.plan_schema_version == case.plan["schema_version"] == 2
    assert [list(stage) for stage in case.frozen_plan.stages] == HOTEL_STAGES
    assert len(case.tracking_code) == 12
    assert material(case, "YYZZ").provenance == "produced"
    assert material(case, "GSZC").state == MaterialState.PENDING
    assert set(states(case).values()) == {ItemState.WAITING}
    assert case.eta is not None

    # intake round 1: GSZC missing, RZWJ wrong → one consolidated correction notice
    check_all(
        people,
        case,
        results={"GSZC": ("MISSING", "公司章程未提交"), "RZWJ": ("WRONG", "任职文件未签字"), "WSJC": ("OK", "")},
    )
    with pytest.raises(IntakeIncomplete) as info:
        intake_accept(actor=people.clerk, case_id=case.pk)
    assert {code for code, _ in info.value.problems} == {"GSZC", "RZWJ"}
    notice = intake_request_correction(actor=people.clerk, case_id=case.pk)
    assert [p["code"] for p in notice.document["problems"]] == ["GSZC", "RZWJ"]
    assert correction_notice_latest(case) == notice
    assert fresh(case).state == CaseState.CORRECTION_REQUESTED

    # resupply: the wrong file is replaced (old one kept in the event), the missing one uploaded
    old_file = material(case, "RZWJ").file.name
    case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code="GSZC", file=pdf("zc.pdf"))
    case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code="RZWJ", file=pdf("rz.pdf"))
    replaced = case.events.get(action="material.replaced")
    assert replaced.before["file"] == old_file
    assert replaced.after["file"] != old_file
    case_resubmit(actor=people.applicant_user, case_id=case.pk)
    assert fresh(case).state == CaseState.RESUBMITTED

    # intake round 2: all fine except WSJC, which is tolerable: accepted against a promise
    check_all(people, case, results={"WSJC": ("MISSING", "检测报告尚未出具")})
    with pytest.raises(IntakeIncomplete):
        intake_accept(actor=people.clerk, case_id=case.pk)
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 3, 20), "承诺")})
    case = fresh(case)
    assert case.state == CaseState.IN_PROGRESS
    assert case.acceptance == "DECISION"
    receipt = acceptance_receipt(case)
    assert receipt is not None
    assert [p["code"] for p in receipt.document["promised"]] == ["WSJC"]
    assert {r["code"] for r in receipt.document["received"]} == set(submit_codes(case)) - {"WSJC"}
    assert material(case, "WSJC").state == MaterialState.PROMISED

    # stage 1 only
    s = states(case)
    assert s["SCJG-GSSL"] == ItemState.DISPATCHED
    assert all(s[c] == ItemState.WAITING for stage in HOTEL_STAGES[1:] for c in stage)
    gssl = items(case)["SCJG-GSSL"]
    assert gssl.due_on == date(2025, 3, 4)  # 1 promised working day
    approve(people, items(case), "SCJG-GSSL")

    # stage 2 starts by itself, in parallel; the business licence flowed to the items needing it
    s = states(case)
    assert all(s[c] == ItemState.DISPATCHED for c in HOTEL_STAGES[1])
    assert material(case, "YYZZ").state == MaterialState.RECEIVED
    assert material(case, "YYZZ").licence.number == "YYZZ-001"
    ggws = items(case)["WJ-GGWS"]
    assert ggws.held  # only the item that needs the promised material is held
    assert [c for c, i in items(case).items() if i.held] == ["WJ-GGWS"]

    # 补正 on the food licence: the clock stops, the due date moves by the paused working days
    spjy = items(case)["SCJG-SPJY"]
    due_before = spjy.due_on
    assert due_before == date(2025, 3, 10)  # dispatched Mon 3 March + 5 working days
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, reason="布局图不清晰")
    assert items(case)["SCJG-SPJY"].state == ItemState.SUPPLEMENT
    clock.working_days(2)  # Wednesday
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已重新提交", file=pdf("plan.pdf"))
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.state == ItemState.IN_REVIEW
    assert spjy.paused_days == 2
    assert spjy.due_on == date(2025, 3, 12)

    # the held item cannot be approved until the promised material arrives
    item_case_take(actor=people.reviewer("WJ"), item_case_id=ggws.pk)
    with pytest.raises(ItemHeld):
        item_case_approve(actor=people.reviewer("WJ"), item_case_id=ggws.pk, licence_number="WS-001")
    case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code="WSJC", file=pdf("wsjc.pdf"))
    assert not items(case)["WJ-GGWS"].held
    assert "item.released" in actions(case)
    item_case_approve(actor=people.reviewer("WJ"), item_case_id=ggws.pk, licence_number="WS-001")

    for code in ("SCJG-SPJY", "STHJ-HPBA", "CG-HWGG"):
        item = items(case)[code]
        reviewer = people.reviewer(item.department.code)
        if item.state == ItemState.DISPATCHED:
            item_case_take(actor=reviewer, item_case_id=item.pk)
        item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=LICENCE_ITEMS[code])
    # the fire acceptance waits for the fire design review only
    assert states(case)["ZJ-XFYS"] == ItemState.WAITING
    approve(people, items(case), "ZJ-XFSJ")
    assert states(case)["ZJ-XFYS"] == ItemState.DISPATCHED
    approve(people, items(case), "ZJ-XFYS")
    assert material(case, "XFYSYJ").state == MaterialState.RECEIVED
    approve(people, items(case), "XF-JCXK")
    assert states(case)["GA-TZHY"] == ItemState.DISPATCHED
    with pytest.raises(TransitionRefused):
        case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    approve(people, items(case), "GA-TZHY")

    # ready: one bill with a line per item, fees from the frozen plan
    case = fresh(case)
    assert case.state == CaseState.READY
    assert case.outcome == "APPROVED"
    bill = bill_get(case)
    assert bill is not None
    assert bill.status == BillStatus.OPEN
    assert bill.total == Decimal("70.00")
    assert {line.item_code: line.amount for line in bill.lines.all() if line.amount} == {
        "WJ-GGWS": Decimal("20.00"),
        "CG-HWGG": Decimal("50.00"),
    }
    assert bill.lines.count() == 9
    with pytest.raises(BillUnsettled):
        case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="POS-778899")
    issuance = case_issue(actor=people.clerk, case_id=case.pk, method="MAIL", tracking_number="SF1234567890")
    case = fresh(case)
    assert case.state == CaseState.ISSUED
    assert len(issuance.documents) == 9
    assert case.eta is None

    # results landed in the licence library for the holder
    assert Licence.objects.filter(holder=people.applicant).count() == 9

    # the applicant was told at every step that matters
    kinds = list(Notification.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    for kind in ("SUBMITTED", "CORRECTION", "ACCEPTED", "SUPPLEMENT", "READY", "ISSUED"):
        assert kind in kinds

    # the audit trail has every transition, in order
    trail = actions(case)
    expected_order = [
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
    positions = [trail.index(action) for action in expected_order]
    assert positions == sorted(positions)
    assert trail.count("item.dispatched") == 9
    assert trail.count("item.approved") == 9

    # public tracking: progress by stage, no personal data
    public = track(format_code(case.tracking_code).lower())
    assert public is not None
    assert [[i["code"] for i in stage["items"]] for stage in public["stages"]] == HOTEL_STAGES
    text = repr(public)
    for secret in (people.applicant.name, people.applicant.id_number, *SAMPLE_PERSONAL):
        assert secret not in text
