"""Identity claims at the window (身份核验): acceptance waits, the clerk confirms (rebinding) or sends the case back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

import pytest

from lianban.accounts.models import Applicant, ApplicantMember
from lianban.accounts.selectors import applicant_list_for_user
from lianban.accounts.services import applicant_create
from lianban.cases.models import CaseState, Notification
from lianban.cases.services import case_resubmit
from lianban.core.case_errors import ActionInvalid, IntakeIncomplete
from lianban.intake.models import Decision
from lianban.intake.selectors import correction_notice_latest, identity_claimed
from lianban.intake.services import (
    IDENTITY,
    case_deem_accepted,
    intake_accept,
    intake_identity_confirm,
    intake_identity_refuse,
)
from lianban.portal.models import Draft
from lianban.portal.services import draft_start
from tests.cases.kit import HOTEL, USCC, FrozenClock, People, actions, check_all, fresh, submit

pytestmark = pytest.mark.django_db


def claim_of(people: People) -> Applicant:
    """``people.other_user`` registers ``people.applicant``'s identity: a claim."""
    claim = applicant_create(
        actor=people.other_user,
        kind="enterprise",
        id_number=USCC,
        name="冒名酒店",
        contact_name="李四",
        contact_phone="13700000000",
    )
    assert claim.claim_of == people.applicant
    return claim


def test_a_case_of_a_claim_is_not_accepted_until_the_identity_is_confirmed(people: People, clock: FrozenClock) -> None:
    claim = claim_of(people)
    case = submit(people, thing="KFG", applicant=claim, actor=people.other_user)
    check_all(people, case)
    assert identity_claimed(case) == people.applicant
    with pytest.raises(IntakeIncomplete) as info:
        intake_accept(actor=people.clerk, case_id=case.pk)
    assert info.value.problems == ((IDENTITY, "identity not verified"),)
    assert fresh(case).state == CaseState.SUBMITTED
    # nor by operation of law
    clock.working_days(10)
    assert case_deem_accepted(case_id=case.pk) is None
    assert fresh(case).state == CaseState.SUBMITTED


def test_confirming_moves_the_claims_cases_drafts_and_members_to_the_registered_applicant(
    people: People, clock: FrozenClock
) -> None:
    claim = claim_of(people)
    case = submit(people, thing="KFG", applicant=claim, actor=people.other_user)
    other_case = submit(people, thing="KFG", applicant=claim, actor=people.other_user)
    draft = draft_start(actor=people.other_user, applicant=claim, thing_code="KFG", answers={"area": 200})
    check_all(people, case)
    with pytest.raises(Http404):  # a clerk of another window does not see the case
        intake_identity_confirm(actor=people.other_clerk, case_id=case.pk)
    with pytest.raises(Http404):  # nor does the claimant act at the window
        intake_identity_confirm(actor=people.applicant_user, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        intake_identity_confirm(actor=people.other_user, case_id=case.pk)
    confirmed = intake_identity_confirm(actor=people.clerk, case_id=case.pk, idempotency_key="k1")
    assert confirmed.applicant == people.applicant
    for moved in (case, other_case):
        assert fresh(moved).applicant == people.applicant
        event = fresh(moved).events.get(action="case.identity_confirmed")
        assert (event.actor, event.before, event.after) == (
            people.clerk,
            {"applicant": claim.pk},
            {"applicant": people.applicant.pk, "confirmed_with": case.tracking_code},
        )
    draft.refresh_from_db()
    assert draft.applicant == people.applicant
    assert not Notification.objects.filter(applicant=claim).exists()
    assert Notification.objects.filter(case=case, applicant=people.applicant).exists()
    claim.refresh_from_db()
    assert claim.retired_at is not None and not claim.is_unverified_claim
    assert not claim.memberships.exists()
    assert ApplicantMember.objects.filter(applicant=people.applicant, user=people.other_user).exists()
    assert list(applicant_list_for_user(people.other_user)) == [people.other_applicant, people.applicant]
    assert identity_claimed(fresh(case)) is None
    # the same key again: the same answer, no second effect; without a claim, nothing to confirm
    assert intake_identity_confirm(actor=people.clerk, case_id=case.pk, idempotency_key="k1").pk == case.pk
    assert fresh(case).events.filter(action="case.identity_confirmed").count() == 1
    with pytest.raises(ActionInvalid):
        intake_identity_confirm(actor=people.clerk, case_id=case.pk)
    # the registered applicant's member registering again: the registered applicant, no new claim
    again = applicant_create(
        actor=people.other_user, kind="enterprise", id_number=USCC, name="x", contact_name="x", contact_phone="1"
    )
    assert again == people.applicant
    intake_accept(actor=people.clerk, case_id=case.pk)
    assert fresh(case).state == CaseState.IN_PROGRESS


def test_a_case_of_a_registered_applicant_has_no_identity_to_confirm(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    assert identity_claimed(case) is None
    with pytest.raises(ActionInvalid):
        intake_identity_confirm(actor=people.clerk, case_id=case.pk)
    with pytest.raises(ActionInvalid):
        intake_identity_refuse(actor=people.clerk, case_id=case.pk, reason="证件不符")


def test_refusing_the_claim_sends_the_case_back_with_a_one_time_notice_and_keeps_it_unverified(
    people: People, clock: FrozenClock
) -> None:
    claim = claim_of(people)
    case = submit(people, thing="KFG", applicant=claim, actor=people.other_user)
    check_all(people, case, results={"GSZC": ("WRONG", "未盖章")})
    with pytest.raises(ActionInvalid):
        intake_identity_refuse(actor=people.clerk, case_id=case.pk, reason=" ")
    round_ = intake_identity_refuse(actor=people.clerk, case_id=case.pk, reason="证件与号码不符", idempotency_key="r")
    assert round_.decision == Decision.CORRECT
    assert fresh(case).state == CaseState.CORRECTION_REQUESTED
    notice = correction_notice_latest(case)
    assert notice is not None
    problems = notice.document["problems"]
    assert [(p["code"], p["result"], p["reason"]) for p in problems] == [
        (IDENTITY, "WRONG", "证件与号码不符"),
        ("GSZC", "WRONG", "未盖章"),
    ]
    assert actions(case)[-1] == "case.identity_refused"
    message = Notification.objects.filter(case=case, kind="CORRECTION").get().message
    assert "证件与号码不符" in message and people.applicant.name not in message
    claim.refresh_from_db()
    assert claim.is_unverified_claim
    assert fresh(case).applicant == claim
    # resubmitted, the identity is still to verify
    case_resubmit(actor=people.other_user, case_id=case.pk)
    check_all(people, case)
    with pytest.raises(IntakeIncomplete):
        intake_accept(actor=people.clerk, case_id=case.pk)


def test_a_claim_never_reaches_the_registered_applicants_data(people: People, clock: FrozenClock) -> None:
    registered_case = submit(people, thing="KFG")
    claim = claim_of(people)
    assert not claim.cases.exists() and not claim.licences.exists() and not claim.drafts.exists()
    draft = draft_start(actor=people.other_user, applicant=claim, thing_code="KJD", answers=HOTEL)
    assert draft.form.get("company_name") == "冒名酒店"
    assert people.applicant.name not in str(draft.form)
    assert registered_case.applicant == people.applicant
    assert Draft.objects.filter(applicant=people.applicant).count() == 0
