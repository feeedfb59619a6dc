"""Reads of intake: rounds, the correction notice, the acceptance receipt."""

from __future__ import annotations

from django.db.models import QuerySet

from lianban.accounts.models import Applicant
from lianban.cases.models import Case
from lianban.intake.models import Decision, IntakeRound, MaterialCheck


def intake_round_list(case: Case) -> QuerySet[IntakeRound]:
    """Every intake round of the case, first to last."""
    return IntakeRound.objects.filter(case=case).select_related("decided_by").order_by("number")


def intake_checks(round_: IntakeRound) -> QuerySet[MaterialCheck]:
    """The material checks of one round."""
    return MaterialCheck.objects.filter(round=round_).select_related("material", "checked_by")


def correction_notice_latest(case: Case) -> IntakeRound | None:
    """The latest correction notice (一次性告知) of the case, or None."""
    return IntakeRound.objects.filter(case=case, decision=Decision.CORRECT).order_by("-number").first()


def acceptance_receipt(case: Case) -> IntakeRound | None:
    """The round that accepted the case (by decision or by law), or None."""
    return (
        IntakeRound.objects.filter(case=case, decision__in=[Decision.ACCEPT, Decision.DEEMED])
        .order_by("-number")
        .first()
    )


def identity_claimed(case: Case) -> Applicant | None:
    """The registered applicant whose identity the case's applicant claims, unverified; None otherwise.

    For the window only (身份核验): the claimant never learns that the identity is registered.
    """
    claim = Applicant.objects.filter(pk=case.applicant_id, claim_of__isnull=False, retired_at__isnull=True).first()
    return claim.claim_of if claim is not None else None
