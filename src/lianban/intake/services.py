"""Intake at the lead department's window: checks, then accept, correct or refuse.

The clerk checks each material to submit (ok / missing / wrong, with a
reason; a paper original is checked the same way, 纸质文档). Then one of:

* ``intake_accept`` — the acceptance receipt lists what was received; a
  tolerable material may be missing against a written promise with a due
  date (容缺), which holds back only the items that need it;
* ``intake_request_correction`` — one consolidated notice listing every
  problem (一次性告知); the applicant resupplies and resubmits, and a new
  round of checks starts;
* ``intake_refuse`` — refusal (不予受理) with the reason.

A case submitted for an unverified identity claim (``Applicant.claim_of``:
the applicant user registered an identity another account holds) cannot be
accepted until the clerk checks the identity against the papers (身份核验):
``intake_identity_confirm`` moves the claim's cases, drafts and members to
the registered applicant; ``intake_identity_refuse`` returns the case with a
one-time notice naming the identity (and every material problem).

The checks are in ``lianban.intake.material_checks``, the identity claims in ``lianban.intake.identity``;
this module re-exports their commands.

A case left without a decision for ``LIANBAN_DEEMED_ACCEPTANCE_DAYS``
working days after its (re)submission is accepted by operation of law
(``case_deem_accepted``, run by ``deemed_acceptance_sweep``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import Acceptance, Case, CaseMaterial, MaterialState, NotificationKind, Provenance
from lianban.cases.notifications import notification_create
from lianban.cases.workflow import (
    after_acceptance,
    case_move,
    eta_refresh,
    item_move,
    lock_case,
    lock_item_cases,
)
from lianban.common.idempotency import command
from lianban.common.language import in_platform_language
from lianban.core import case_flow as flow
from lianban.core.case_errors import IntakeIncomplete, TextRequired
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.intake.hooks import CALENDAR_GAPS, INTAKE_OVERDUE
from lianban.intake.identity import IDENTITY, identity_unverified, intake_identity_confirm, intake_identity_refuse
from lianban.intake.material_checks import (
    OPEN_FOR_INTAKE,
    CheckVerdict,
    MaterialPromise,
    clerk_case,
    correction_notice,
    intake_check,
    intake_check_many,
    intake_round_open,
    material_problems,
    materials_at_intake,
)
from lianban.intake.models import CheckResult, Decision, IntakeRound, MaterialCheck

logger = logging.getLogger(__name__)

__all__ = [
    "IDENTITY",
    "OPEN_FOR_INTAKE",
    "CheckVerdict",
    "MaterialPromise",
    "case_deem_accepted",
    "deemed_acceptance_deadline",
    "deemed_acceptance_sweep",
    "deemed_acceptance_sweep_run",
    "identity_unverified",
    "intake_accept",
    "intake_check",
    "intake_check_many",
    "intake_identity_confirm",
    "intake_identity_refuse",
    "intake_refuse",
    "intake_request_correction",
    "intake_round_open",
]


@command(operation="intake.accept", model=Case)
def intake_accept(
    *,
    actor: User,
    case_id: int,
    promises: Mapping[str, MaterialPromise] | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """Accept the case: issue the receipt and dispatch every item that can start.

    ``promises`` maps tolerable materials that are missing to the applicant's
    written promise (容缺); the items needing them are held back until supplied.

    Raises:
        Http404, PermissionDenied, TransitionRefused, IntakeIncomplete (what blocks acceptance).
    """
    promises = promises or {}
    case = clerk_case(actor, case_id)
    if identity_unverified(case):
        raise IntakeIncomplete(_("the case cannot be accepted"), [(IDENTITY, "identity not verified")])
    round_ = intake_round_open(case)
    materials = {
        m.code: m for m in CaseMaterial.objects.select_for_update(of=("self",)).filter(case=case).order_by("position")
    }
    for code in promises:
        material = materials.get(code)
        if material is None or not material.tolerable or material.provenance != Provenance.SUBMIT:
            raise IntakeIncomplete(_("only tolerable materials can be promised"), [(code, _("not tolerable"))])
        if promises[code].due < clock.today():
            raise IntakeIncomplete(_("a promise is due in the future"), [(code, _("due date in the past"))])
    checks = {c.material_id: c for c in MaterialCheck.objects.filter(round=round_).order_by()}
    problems = flow.acceptance_problems(
        materials_at_intake(case, round_, promises, materials=list(materials.values()), checks=checks)
    )
    if problems:
        raise IntakeIncomplete(_("the case cannot be accepted"), problems)
    received: list[dict[str, Any]] = []
    promised: list[dict[str, Any]] = []
    for material in sorted(materials.values(), key=lambda m: m.position):
        check = checks.get(material.pk)
        if material.code in promises and (check is None or check.result != CheckResult.OK):
            promise = promises[material.code]
            material.state = MaterialState.PROMISED
            material.promise_due = promise.due
            material.promise_text = promise.text
            material.save(update_fields=["state", "promise_due", "promise_text"])
            promised.append(
                {"code": material.code, "name": material.name, "due": promise.due.isoformat(), "text": promise.text}
            )
        elif material.provenance == Provenance.LICENCE:
            received.append({"code": material.code, "name": material.name, "how": "licence"})
        elif check is not None and check.result == CheckResult.OK:
            how = "paper" if check.paper else "file"
            received.append({"code": material.code, "name": material.name, "how": how})
    moment = clock.now()
    receipt = {
        "case": case.tracking_code,
        "accepted_at": moment.isoformat(),
        "received": received,
        "promised": promised,
    }
    round_.decision = Decision.ACCEPT
    round_.decided_at = moment
    round_.decided_by = actor
    round_.document = receipt
    round_.save(update_fields=["decision", "decided_at", "decided_by", "document"])
    case_move(
        case,
        "accept",
        actor=actor,
        action="case.accepted",
        fields={"acceptance": Acceptance.DECISION, "accepted_at": moment},
        after={"acceptance": Acceptance.DECISION, "promised": [p["code"] for p in promised]},
    )
    after_acceptance(
        case,
        actor=actor,
        outstanding={m.code: m.needed_by for m in materials.values() if m.state == MaterialState.PROMISED},
    )
    notification_create(
        case=case,
        kind=NotificationKind.ACCEPTED,
        message=_("Your application %(code)s was accepted.") % {"code": case.code_for_people}
        + (
            " "
            + _("Please supply by the promised dates: %(list)s.")
            % {"list": ", ".join(f"{p['name']} ({p['due']})" for p in promised)}
            if promised
            else ""
        ),
    )
    return case


@command(operation="intake.correct", model=IntakeRound)
def intake_request_correction(*, actor: User, case_id: int, idempotency_key: str | None = None) -> IntakeRound:
    """Send one consolidated correction notice listing every material checked missing or wrong (一次性告知).

    Raises:
        Http404, PermissionDenied, TransitionRefused, IntakeIncomplete (nothing to correct).
    """
    case = clerk_case(actor, case_id)
    round_ = intake_round_open(case)
    problems = material_problems(case, round_)
    if not problems:
        raise IntakeIncomplete(_("no material was checked missing or wrong"))
    return correction_notice(case, round_, actor=actor, problems=problems, action="case.correction_requested")


@command(operation="intake.refuse", model=Case)
def intake_refuse(*, actor: User, case_id: int, reason: str, idempotency_key: str | None = None) -> Case:
    """Refuse the application (不予受理) with the reason.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason).
    """
    if not reason.strip():
        raise TextRequired(_("a reason is required"))
    case = clerk_case(actor, case_id)
    round_ = intake_round_open(case)
    moment = clock.now()
    round_.decision = Decision.REFUSE
    round_.decided_at = moment
    round_.decided_by = actor
    round_.reason = reason
    round_.save(update_fields=["decision", "decided_at", "decided_by", "reason"])
    items = lock_item_cases(case)
    case_move(
        case,
        "refuse",
        actor=actor,
        action="case.refused",
        reason=reason,
        fields={"outcome": flow.CaseOutcome.REFUSED.value, "closed_at": moment, "decision_reason": reason},
    )
    for item in items:
        # nothing was dispatched before acceptance: every item simply ends
        item_move(case, item, "cancel", actor=actor, action="item.cancelled", reason=reason)
    notification_create(
        case=case,
        kind=NotificationKind.REFUSED,
        message=_("Application %(code)s was not accepted: %(reason)s")
        % {"code": case.code_for_people, "reason": reason},
    )
    eta_refresh(case, items)
    return case


def deemed_acceptance_deadline(case: Case, *, calendar: Calendar | None = None) -> date:
    """The last working day for an intake decision on the case's latest (re)submission.

    A list passes the ``calendar`` it read once for all its rows.
    """
    submitted = case.resubmitted_at or case.submitted_at
    return (calendar or clock.calendar()).add_working_days(
        clock.local_date(submitted), settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS
    )


@transaction.atomic
def case_deem_accepted(*, case_id: int) -> Case | None:
    """Accept the case by operation of law if its intake deadline has passed; None otherwise (idempotent)."""
    case = lock_case(case_id)
    if case.state not in OPEN_FOR_INTAKE or clock.today() <= deemed_acceptance_deadline(case):
        return None
    if identity_unverified(case):  # never by operation of law for an identity nobody checked
        logger.warning("case %s not deemed accepted: the applicant's identity is not verified", case_id)
        return None
    INTAKE_OVERDUE(case.pk)  # the 红牌 of the decision not made in time
    round_ = intake_round_open(case)
    moment = clock.now()
    round_.decision = Decision.DEEMED
    round_.decided_at = moment
    round_.document = {
        "case": case.tracking_code,
        "accepted_at": moment.isoformat(),
        "deemed": True,
        "deadline": deemed_acceptance_deadline(case).isoformat(),
    }
    round_.save(update_fields=["decision", "decided_at", "document"])
    case_move(
        case,
        "deem_accepted",
        actor=None,
        action="case.deemed_accepted",
        reason=_("no intake decision within %(days)d working days") % {"days": settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS},
        fields={"acceptance": Acceptance.DEEMED, "accepted_at": moment},
        after={"acceptance": Acceptance.DEEMED},
    )
    after_acceptance(case, actor=None)
    notification_create(
        case=case,
        kind=NotificationKind.ACCEPTED,
        message=_("Your application %(code)s is accepted by operation of law: no intake decision was made in time.")
        % {"code": case.code_for_people},
    )
    return case


def deemed_acceptance_sweep() -> list[int]:
    """Deem accepted every case whose intake deadline has passed; the ids of the cases accepted now.

    See ``deemed_acceptance_sweep_run`` for what is not accepted and why.
    """
    return deemed_acceptance_sweep_run().accepted


@dataclass(slots=True)
class DeemedAcceptanceSweep:
    """What a deemed-acceptance sweep did.

    Attributes:
        accepted: The cases accepted by operation of law now.
        not_computable: Cases whose intake deadline cannot be computed → the
            calendar year that is not entered. They are not deemed accepted.
    """

    accepted: list[int] = field(default_factory=list)
    not_computable: dict[int, int] = field(default_factory=dict)


@in_platform_language
def deemed_acceptance_sweep_run() -> DeemedAcceptanceSweep:
    """Deem accepted every case whose intake deadline has passed, one transaction per case.

    A case whose 5-working-day deadline falls in a year the calendar does not
    cover is not deemed accepted (the deadline is never guessed): it is
    listed in ``not_computable``, logged as an error, and counted in the
    year's calendar alert for the staff.
    """
    result = DeemedAcceptanceSweep()
    # The deadline is N working days after the (re)submission's day, so at least N natural days after it: a case
    # (re)submitted on or after the day ``today - N`` cannot be past it and is not read (a day's arrivals, not the
    # whole queue, are what each run costs).
    days = settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS
    cutoff = timezone.make_aware(datetime.combine(clock.today() - timedelta(days=days), time.min))
    pending = (
        Case.objects.filter(state__in=[s.value for s in OPEN_FOR_INTAKE])
        .filter(Q(resubmitted_at__isnull=True, submitted_at__lt=cutoff) | Q(resubmitted_at__lt=cutoff))
        .order_by("submitted_at", "id")
    ).values_list("pk", flat=True)
    for case_id in list(pending):
        try:
            if case_deem_accepted(case_id=case_id) is not None:
                result.accepted.append(case_id)
        except CalendarNotCovered as exc:
            logger.error("deemed acceptance of case %s not decided: %s", case_id, exc.message)
            result.not_computable[case_id] = exc.year
    CALENDAR_GAPS(Counter(result.not_computable.values()))
    return result
