"""Department review: take, supplement (补正), approve, reject; rejection cancels dependents only."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404

import pytest

from lianban.cases.models import Case, CaseState, ItemState
from lianban.cases.services import case_withdraw
from lianban.core.case_errors import ActionInvalid, TransitionRefused
from lianban.intake.services import intake_accept
from lianban.issuance.selectors import bill_get
from lianban.review.models import SupplementRequest
from lianban.review.selectors import item_case_queue_for_department, supplement_list
from lianban.review.services import (
    item_case_approve,
    item_case_reject,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)
from tests.cases.kit import FrozenClock, People, actions, check_all, fresh, items, pdf, states, submit

pytestmark = pytest.mark.django_db


def accepted(people: People, **kw) -> Case:  # type: ignore[no-untyped-def]
    case = submit(people, **kw)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    return case


def decide(people: People, case: Case, code: str, *, approve: bool = True, reason: str = "不符合条件") -> None:
    item = items(case)[code]
    reviewer = people.reviewer(item.department.code)
    if item.state == ItemState.DISPATCHED:
        item_case_take(actor=reviewer, item_case_id=item.pk)
    if approve:
        item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{code}")
    else:
        item_case_reject(actor=reviewer, item_case_id=item.pk, reason=reason)


def test_a_rejection_cancels_dependents_while_independent_items_go_on(people: People, clock: FrozenClock) -> None:
    case = accepted(people)
    decide(people, case, "SCJG-GSSL")
    decide(people, case, "ZJ-XFSJ", approve=False, reason="设计不符合规范")
    s = states(case)
    # the fire design review was rejected: fire acceptance, fire check and the hotel licence cannot follow
    assert s["ZJ-XFSJ"] == ItemState.REJECTED
    assert s["ZJ-XFYS"] == s["XF-JCXK"] == s["GA-TZHY"] == ItemState.CANCELLED
    assert all(s[c] == ItemState.DISPATCHED for c in ("SCJG-SPJY", "STHJ-HPBA", "WJ-GGWS", "CG-HWGG"))
    cancelled = case.events.filter(action="item.cancelled").order_by("id")
    assert [e.item_case.item_code for e in cancelled] == ["ZJ-XFYS", "XF-JCXK", "GA-TZHY"]
    assert all("设计不符合规范" in e.reason for e in cancelled)
    assert all(e.after["because_of"] == "ZJ-XFSJ" for e in cancelled)
    assert fresh(case).state == CaseState.IN_PROGRESS

    for code in ("SCJG-SPJY", "STHJ-HPBA", "WJ-GGWS", "CG-HWGG"):
        decide(people, case, code)
    case = fresh(case)
    assert case.state == CaseState.READY
    assert case.outcome == "PARTLY_APPROVED"
    bill = bill_get(case)
    assert bill is not None
    assert sorted(line.item_code for line in bill.lines.all()) == [
        "CG-HWGG",
        "SCJG-GSSL",
        "SCJG-SPJY",
        "STHJ-HPBA",
        "WJ-GGWS",
    ]


def test_rejecting_the_first_item_rejects_the_whole_case(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    decide(people, case, "SCJG-GSSL", approve=False)
    case = fresh(case)
    assert set(states(case).values()) == {ItemState.REJECTED, ItemState.CANCELLED}
    assert case.state == CaseState.READY
    assert case.outcome == "REJECTED"
    assert bill_get(case).status == "NO_FEE"  # type: ignore[union-attr]


def test_a_reviewer_must_take_the_item_before_deciding(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    gssl = items(case)["SCJG-GSSL"]
    with pytest.raises(TransitionRefused):
        item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="N")
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    with pytest.raises(TransitionRefused):
        item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    taken = items(case)["SCJG-GSSL"]
    assert taken.taken_by == people.reviewer("SCJG")
    assert taken.state == ItemState.IN_REVIEW


def test_a_waiting_item_cannot_be_taken(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    with pytest.raises(Http404):  # a waiting item is not its department's yet: not even visible
        item_case_take(actor=people.reviewer("SCJG"), item_case_id=items(case)["SCJG-SPJY"].pk)


def test_approval_needs_the_licence_number_of_a_result_and_a_valid_validity(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    gssl = items(case)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    with pytest.raises(ActionInvalid):
        item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    with pytest.raises(ActionInvalid):
        item_case_approve(
            actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="N", valid_until=date(2020, 1, 1)
        )
    with pytest.raises(ActionInvalid):
        item_case_reject(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, reason="")
    item_case_approve(
        actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="N-1", document=pdf("yyzz.pdf")
    )
    approved = items(case)["SCJG-GSSL"]
    assert approved.licence_number == "N-1"
    assert approved.document.name
    assert approved.decided_by == people.reviewer("SCJG")
    licence = approved.licences.get()
    assert licence.holder == people.applicant
    assert licence.material.code == "YYZZ"
    assert licence.document == approved.document.name


def test_another_departments_item_case_answers_404_and_others_cannot_decide(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    gssl = items(case)["SCJG-GSSL"]
    for stranger in (people.reviewer("ZJ"), people.other_user, people.other_clerk, people.admin):
        with pytest.raises(Http404):
            item_case_take(actor=stranger, item_case_id=gssl.pk)
    for onlooker in (people.supervisor, people.clerk, people.applicant_user):
        with pytest.raises(PermissionDenied):
            item_case_take(actor=onlooker, item_case_id=gssl.pk)
    assert items(case)["SCJG-GSSL"].state == ItemState.DISPATCHED


def test_a_supplement_stops_the_clock_and_moves_the_due_date(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    decide(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.due_on == date(2025, 3, 10)
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    clock.working_days(1)  # Tuesday
    request = item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, reason="补充设备清单")
    assert request.paused_since == date(2025, 3, 4)
    paused = items(case)["SCJG-SPJY"]
    assert paused.state == ItemState.SUPPLEMENT
    assert paused.paused_since == date(2025, 3, 4)
    with pytest.raises(TransitionRefused):
        item_case_approve(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, licence_number="X")
    # only the applicant supplies, with something
    with pytest.raises(PermissionDenied):
        item_case_supply(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, note="x")
    with pytest.raises(Http404):
        item_case_supply(actor=people.other_user, item_case_id=spjy.pk, note="x")
    with pytest.raises(ActionInvalid):
        item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk)
    clock.set(date(2025, 3, 10))  # the next Monday: 4 working days later
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已补充", file=pdf("list.pdf"))
    resumed = items(case)["SCJG-SPJY"]
    assert resumed.state == ItemState.IN_REVIEW
    assert resumed.paused_days == 4
    assert resumed.due_on == date(2025, 3, 14)
    assert resumed.paused_since is None
    request = supplement_list(resumed).get()
    assert request.supplied_by == people.applicant_user
    assert request.paused_days == 4
    assert request.sha256
    event = case.events.get(action="item.supplied")
    assert event.after["due_before"] == "2025-03-10"
    assert event.after["due_on"] == "2025-03-14"
    assert SupplementRequest.objects.count() == 1


def test_the_departments_queue_holds_only_its_open_item_cases(people: People, clock: FrozenClock) -> None:
    case = accepted(people)
    assert [i.item_code for i in item_case_queue_for_department(people.reviewer("SCJG"))] == ["SCJG-GSSL"]
    assert list(item_case_queue_for_department(people.reviewer("ZJ"))) == []
    assert list(item_case_queue_for_department(people.clerk)) == []
    decide(people, case, "SCJG-GSSL")
    assert [i.item_code for i in item_case_queue_for_department(people.reviewer("SCJG"))] == ["SCJG-SPJY"]
    assert [i.item_code for i in item_case_queue_for_department(people.reviewer("ZJ"))] == ["ZJ-XFSJ"]


def test_withdrawal_cancels_open_items_and_stops_everything(people: People, clock: FrozenClock) -> None:
    case = accepted(people, thing="KFG", answers={"area": 200})
    decide(people, case, "SCJG-GSSL")
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=people.clerk, case_id=case.pk, reason="x")
    with pytest.raises(ActionInvalid):
        case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="")
    case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="不开了")
    case = fresh(case)
    assert case.state == CaseState.WITHDRAWN
    assert case.outcome == "WITHDRAWN"
    s = states(case)
    assert s["SCJG-GSSL"] == ItemState.APPROVED
    assert {s[c] for c in s if c != "SCJG-GSSL"} == {ItemState.CANCELLED}
    assert actions(case).count("item.cancelled") == len(s) - 1
    with pytest.raises(Http404):  # a cancelled item is no longer its department's
        decide(people, case, "SCJG-SPJY")
    with pytest.raises(TransitionRefused):
        case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="again")
