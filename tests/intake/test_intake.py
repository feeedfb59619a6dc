"""Intake at the window: checks, correction notice, acceptance with 容缺, refusal, deemed acceptance."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

import pytest

from lianban.cases.models import CaseState, ItemState, MaterialState
from lianban.core.case_errors import ActionInvalid, IntakeIncomplete, MaterialUnknown, TransitionRefused
from lianban.intake.models import Decision, IntakeRound, MaterialCheck
from lianban.intake.selectors import acceptance_receipt, correction_notice_latest, intake_round_list
from lianban.intake.services import (
    MaterialPromise,
    deemed_acceptance_deadline,
    deemed_acceptance_sweep,
    intake_accept,
    intake_check,
    intake_refuse,
    intake_request_correction,
)
from lianban.intake.tasks import deemed_acceptance_sweep as deemed_acceptance_job
from tests.cases.kit import FrozenClock, People, actions, check_all, fresh, material, states, submit

pytestmark = pytest.mark.django_db

KFG = {"area": 200}


def test_a_check_that_is_not_ok_needs_a_reason(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    with pytest.raises(ActionInvalid):
        intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="WRONG")
    with pytest.raises(ActionInvalid):
        intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="MAYBE", reason="?")
    with pytest.raises(MaterialUnknown):
        intake_check(actor=people.clerk, case_id=case.pk, material_code="YYZZ", result="OK")


def test_the_last_check_of_a_material_wins_and_is_recorded(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="WRONG", reason="未盖章")
    intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="OK")
    assert MaterialCheck.objects.get(material=material(case, "GSZC")).result == "OK"
    events = case.events.filter(action="intake.checked").order_by("id")
    assert [e.after["result"] for e in events] == ["WRONG", "OK"]
    assert events[1].before["result"] == "WRONG"


def test_a_paper_original_checked_by_the_clerk_counts_as_received(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG, skip=["GSZC"])
    assert material(case, "GSZC").state == MaterialState.PENDING
    intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="OK", paper=True)
    gszc = material(case, "GSZC")
    assert gszc.paper
    assert gszc.paper_checked_by == people.clerk
    assert gszc.state == MaterialState.RECEIVED
    check_all(people, case, results={"GSZC": ("OK", "")})
    intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="OK", paper=True)
    intake_accept(actor=people.clerk, case_id=case.pk)
    receipt = acceptance_receipt(case)
    assert receipt is not None
    assert {"code": "GSZC", "name": gszc.name, "how": "paper"} in receipt.document["received"]


def test_acceptance_needs_every_required_material_checked(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    intake_check(actor=people.clerk, case_id=case.pk, material_code="GSZC", result="OK")
    with pytest.raises(IntakeIncomplete) as info:
        intake_accept(actor=people.clerk, case_id=case.pk)
    assert ("GSDJSQS", "not checked") in info.value.problems
    assert fresh(case).state == CaseState.SUBMITTED


def test_a_correction_notice_lists_every_problem_at_once_and_needs_one(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    with pytest.raises(IntakeIncomplete):
        intake_request_correction(actor=people.clerk, case_id=case.pk)
    check_all(people, case, results={"GSZC": ("MISSING", "缺章程"), "SPAQZD": ("WRONG", "制度不全")})
    notice = intake_request_correction(actor=people.clerk, case_id=case.pk)
    assert notice.decision == Decision.CORRECT
    assert [(p["code"], p["reason"]) for p in notice.document["problems"]] == [
        ("GSZC", "缺章程"),
        ("SPAQZD", "制度不全"),
    ]
    assert correction_notice_latest(case) == notice
    case = fresh(case)
    assert case.state == CaseState.CORRECTION_REQUESTED
    # no intake while the applicant corrects
    with pytest.raises(TransitionRefused):
        intake_accept(actor=people.clerk, case_id=case.pk)


def test_after_resubmission_a_new_round_of_checks_starts(people: People, clock: FrozenClock) -> None:
    from lianban.cases.services import case_resubmit

    case = submit(people, thing="KFG", answers=KFG)
    check_all(people, case, results={"GSZC": ("MISSING", "缺")})
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    case_resubmit(actor=people.applicant_user, case_id=case.pk)
    with pytest.raises(IntakeIncomplete):
        intake_accept(actor=people.clerk, case_id=case.pk)  # round 2 has no checks yet
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    rounds = list(intake_round_list(case))
    assert [(r.number, r.decision) for r in rounds] == [(1, "CORRECT"), (2, "ACCEPT")]


def test_only_tolerable_materials_can_be_promised(people: People, clock: FrozenClock) -> None:
    case = submit(people, skip=["GSZC"])
    check_all(people, case, results={"GSZC": ("MISSING", "缺")})
    with pytest.raises(IntakeIncomplete, match="tolerable"):
        intake_accept(actor=people.clerk, case_id=case.pk, promises={"GSZC": MaterialPromise(date(2025, 4, 1))})
    check_all(people, case, results={"WSJC": ("MISSING", "缺")})
    with pytest.raises(IntakeIncomplete, match="future"):
        intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 1, 1))})
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 4, 1), "承诺")})
    wsjc = material(case, "WSJC")
    assert wsjc.state == MaterialState.PROMISED
    assert wsjc.promise_due == date(2025, 4, 1)
    assert wsjc.promise_text == "承诺"


def test_refusal_ends_the_case_with_the_reason(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    with pytest.raises(ActionInvalid):
        intake_refuse(actor=people.clerk, case_id=case.pk, reason=" ")
    intake_refuse(actor=people.clerk, case_id=case.pk, reason="不属于本部门受理范围")
    case = fresh(case)
    assert case.state == CaseState.REFUSED
    assert case.outcome == "REFUSED"
    assert case.decision_reason == "不属于本部门受理范围"
    assert set(states(case).values()) == {ItemState.CANCELLED}
    event = case.events.get(action="case.refused")
    assert event.reason == "不属于本部门受理范围"
    assert event.before == {"state": "SUBMITTED"}
    assert IntakeRound.objects.get(case=case).decision == Decision.REFUSE
    with pytest.raises(TransitionRefused):
        intake_accept(actor=people.clerk, case_id=case.pk)


def test_only_the_lead_departments_window_decides(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    check_all(people, case)
    with pytest.raises(Http404):
        intake_accept(actor=people.other_clerk, case_id=case.pk)
    with pytest.raises(Http404):
        intake_accept(actor=people.other_user, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        intake_accept(actor=people.supervisor, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        intake_accept(actor=people.applicant_user, case_id=case.pk)
    # the comprehensive window (no department) serves every lead department
    intake_accept(actor=people.window, case_id=case.pk)
    assert fresh(case).state == CaseState.IN_PROGRESS


def test_a_case_without_a_decision_for_five_working_days_is_deemed_accepted(people: People, clock: FrozenClock) -> None:
    clock.set(date(2025, 9, 26))  # a Friday before the National Day holidays
    case = submit(people, thing="KFG", answers=KFG)
    untouched = submit(people, thing="KFG", answers=KFG)
    check_all(people, untouched, results={"GSZC": ("MISSING", "缺")})
    intake_request_correction(actor=people.clerk, case_id=untouched.pk)
    deadline = deemed_acceptance_deadline(case)
    assert deadline == date(2025, 10, 10)  # Sep 28 (a make-up Sunday), 29, 30, then Oct 9 and 10 after the holidays
    clock.set(deadline)
    assert deemed_acceptance_sweep() == []
    assert fresh(case).state == CaseState.SUBMITTED
    clock.set(date(2025, 10, 11))  # a make-up Saturday
    assert deemed_acceptance_sweep() == [case.pk]
    case = fresh(case)
    assert case.state == CaseState.IN_PROGRESS
    assert case.acceptance == "DEEMED"
    event = case.events.get(action="case.deemed_accepted")
    assert event.actor is None
    assert event.actor_role == "SYSTEM"
    assert states(case)["SCJG-GSSL"] == ItemState.DISPATCHED
    receipt = acceptance_receipt(case)
    assert receipt is not None
    assert receipt.decision == Decision.DEEMED
    # a case waiting for the applicant's correction is not deemed accepted; a second sweep changes nothing
    assert fresh(untouched).state == CaseState.CORRECTION_REQUESTED
    assert deemed_acceptance_sweep() == []
    assert actions(case).count("case.deemed_accepted") == 1


def test_the_deemed_acceptance_command_and_task_run_the_sweep(
    people: People, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    clock.working_days(6)
    call_command("deemed_acceptance")
    assert "1 case(s) deemed accepted" in capsys.readouterr().out
    assert fresh(case).acceptance == "DEEMED"
    other = submit(people, thing="KFG", answers=KFG)
    clock.working_days(6)
    result = deemed_acceptance_job.enqueue()
    assert result.return_value == [other.pk]


def test_the_deemed_acceptance_sweep_reads_only_cases_old_enough_to_be_past_their_deadline(
    people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A (re)submission of the last N days cannot be past its N-working-day deadline: not locked, not read."""
    from lianban.intake import services

    looked_at: list[int] = []
    decide = services.case_deem_accepted

    def counting(*, case_id: int) -> object:
        looked_at.append(case_id)
        return decide(case_id=case_id)

    monkeypatch.setattr(services, "case_deem_accepted", counting)
    old = submit(people, thing="KFG", answers=KFG)
    clock.working_days(6)
    fresh_ones = [submit(people, thing="KFG", answers=KFG) for _ in range(3)]
    assert deemed_acceptance_sweep() == [old.pk]
    assert looked_at == [old.pk]
    assert all(fresh(case).state == CaseState.SUBMITTED for case in fresh_ones)
    clock.working_days(6)
    looked_at.clear()
    assert sorted(deemed_acceptance_sweep()) == sorted(case.pk for case in fresh_ones)
    assert sorted(looked_at) == sorted(case.pk for case in fresh_ones)
