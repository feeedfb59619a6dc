"""Identity claims at intake (身份核验): the clerk confirms the identity against the papers (the claim's cases,
drafts and members move to the registered applicant) or returns the case with a one-time notice."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.models import Case, Notification
from lianban.cases.workflow import case_touch, lock_case
from lianban.common.idempotency import command
from lianban.core.case_errors import IdentityNotClaimed, TextRequired
from lianban.intake.hooks import APPLICANT_CONFIRMED
from lianban.intake.material_checks import clerk_case, correction_notice, intake_round_open, material_problems
from lianban.intake.models import CheckResult, IntakeRound
from lianban.licences.models import Licence

# ------------------------------------------------------------------ identity claims (身份核验)

#: The problem code of the applicant's identity (material codes are the catalog's, upper case).
IDENTITY = "applicant"


def identity_unverified(case: Case) -> bool:
    """Whether the case's applicant is an identity claim the window has not confirmed."""
    return Applicant.objects.filter(pk=case.applicant_id, claim_of__isnull=False, retired_at__isnull=True).exists()


def _clerk_case_of_claim(actor: User, case_id: int) -> tuple[Case, Applicant, int]:
    """Lock the claim the case was submitted for, then the case (``_clerk_case``); both, and the claimed id.

    The claim's row is locked first: confirmations and refusals of one claim
    run one after the other, so its cases are locked in one order.
    """
    applicant_id = Case.objects.filter(pk=case_id).values_list("applicant_id", flat=True).first()
    claim = (
        Applicant.objects.select_for_update().filter(pk=applicant_id, claim_of__isnull=False).first()
        if applicant_id is not None
        else None
    )
    case = clerk_case(actor, case_id)
    if claim is None or claim.pk != case.applicant_id or claim.claim_of_id is None or claim.retired_at is not None:
        raise IdentityNotClaimed(_("the applicant's identity needs no confirmation"))
    return case, claim, claim.claim_of_id


@command(operation="intake.identity_confirm", model=Case)
def intake_identity_confirm(*, actor: User, case_id: int, idempotency_key: str | None = None) -> Case:
    """The clerk has checked the papers: the claimant acts for the registered applicant of the identity.

    Every case, draft and notification of the claim moves to the registered
    applicant (one ``case.identity_confirmed`` event per case), the claim's
    members become its members, and the claim is retired.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (not an unverified claim).
    """
    case, claim, registered_id = _clerk_case_of_claim(actor, case_id)
    others = Case.objects.filter(applicant=claim).exclude(pk=case.pk).order_by("id").values_list("pk", flat=True)
    for moved in [case, *(lock_case(pk) for pk in list(others))]:
        moved.applicant_id = registered_id
        moved.save(update_fields=["applicant"])
        case_touch(moved)
        event_record(
            case=moved,
            actor=actor,
            action="case.identity_confirmed",
            before={"applicant": claim.pk},
            after={"applicant": registered_id, "confirmed_with": case.tracking_code},
        )
    APPLICANT_CONFIRMED(claim.pk, registered_id)
    Notification.objects.filter(applicant=claim).update(applicant_id=registered_id)
    Licence.objects.filter(holder=claim).update(holder_id=registered_id)  # none: a claim's cases are not accepted
    for member in ApplicantMember.objects.filter(applicant=claim).select_related("user"):
        ApplicantMember.objects.get_or_create(applicant_id=registered_id, user=member.user)
    ApplicantMember.objects.filter(applicant=claim).delete()
    claim.retired_at = clock.now()
    claim.save(update_fields=["retired_at"])
    case.applicant = Applicant.objects.get(pk=registered_id)
    return case


@command(operation="intake.identity_refuse", model=IntakeRound)
def intake_identity_refuse(
    *, actor: User, case_id: int, reason: str, idempotency_key: str | None = None
) -> IntakeRound:
    """The papers do not prove the claimed identity: return the case with a one-time notice.

    The notice lists the identity with ``reason`` first, then every material
    checked missing or wrong; the claim stays unverified (a resubmission is
    checked again).

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason, not an unverified claim).
    """
    if not reason.strip():
        raise TextRequired(_("a reason is required"))
    case, _claim, _registered = _clerk_case_of_claim(actor, case_id)
    round_ = intake_round_open(case)
    identity = {"code": IDENTITY, "name": _("Applicant identity"), "result": CheckResult.WRONG.value, "reason": reason}
    problems = [identity, *material_problems(case, round_)]
    return correction_notice(
        case, round_, actor=actor, problems=problems, action="case.identity_refused", reason=reason
    )
