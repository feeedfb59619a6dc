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

A case left without a decision for ``LIANBAN_DEEMED_ACCEPTANCE_DAYS``
working days after its (re)submission is accepted by operation of law
(``case_deem_accepted``, run by ``deemed_acceptance_sweep``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.cases import clock
from lianban.cases.access import clerk_serves
from lianban.cases.events import event_record
from lianban.cases.idempotency import idempotent
from lianban.cases.models import (
    Acceptance,
    Case,
    CaseMaterial,
    MaterialState,
    Notification,
    NotificationKind,
    Provenance,
)
from lianban.cases.notifications import notification_create
from lianban.cases.workflow import (
    after_acceptance,
    case_move,
    case_touch,
    eta_refresh,
    item_move,
    lock_case,
    lock_case_for_user,
    lock_item_cases,
)
from lianban.common.language import in_platform_language
from lianban.core import case_flow as flow
from lianban.core.case_errors import ActionInvalid, IntakeIncomplete, MaterialUnknown, TransitionRefused
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.intake.models import CheckResult, Decision, IntakeRound, MaterialCheck
from lianban.licences.models import Licence
from lianban.portal.models import Draft
from lianban.supervision.services import calendar_alerts_record, intake_signals_raise

logger = logging.getLogger(__name__)

#: Case states in which intake may check and decide.
OPEN_FOR_INTAKE = flow.OPEN_FOR_INTAKE


@dataclass(frozen=True, slots=True)
class MaterialPromise:
    """A written promise to supply a tolerable material later (容缺)."""

    due: date
    text: str = ""


def _clerk_case(actor: User, case_id: int) -> Case:
    """Lock the case after checking that ``actor`` is a clerk of its window."""
    case = lock_case_for_user(actor, case_id)
    if not clerk_serves(actor, case):
        raise PermissionDenied(_("only the window of the lead department decides intake"))
    if case.state not in OPEN_FOR_INTAKE:
        raise TransitionRefused("case", case.state, "intake", _("intake is not open"))
    return case


def intake_round_open(case: Case) -> IntakeRound:
    """The undecided round of the case, created on first use (one per (re)submission)."""
    current = IntakeRound.objects.filter(case=case, decision="").order_by("-number").first()
    if current is not None:
        return current
    number = IntakeRound.objects.filter(case=case).count() + 1
    return IntakeRound.objects.create(case=case, number=number, opened_at=clock.now())


@transaction.atomic
def intake_check(
    *, actor: User, case_id: int, material_code: str, result: str, reason: str = "", paper: bool = False
) -> MaterialCheck:
    """Record the clerk's verdict on one material to submit in the current round (last verdict wins).

    ``paper=True`` with ``result=OK`` records that the paper original was checked (纸质文档).

    Raises:
        Http404, PermissionDenied, TransitionRefused, MaterialUnknown, ActionInvalid.
    """
    case = _clerk_case(actor, case_id)
    check = _check(case, actor, CheckVerdict(material_code, result, reason, paper))
    case_touch(case)
    return check


#: The read of a material to check, locked, with the open round of its case and the material's verdict in
#: that round as subqueries: built once, filtered per call (a query is cloned, never changed, by ``filter``).
#: Only the columns a check reads (a paper check saves three more).
_MATERIAL_TO_CHECK = (
    CaseMaterial.objects.select_for_update(of=("self",))
    .only("id", "code", "provenance", "paper")
    .annotate(
        open_round=Subquery(
            IntakeRound.objects.filter(case=OuterRef("case_id"), decision="").order_by("-number").values("pk")[:1]
        ),
        earlier_check=Subquery(
            MaterialCheck.objects.filter(material=OuterRef("pk"), round__decision="").order_by().values("pk")[:1]
        ),
    )
    .order_by()
)


def _material_for_check(case: Case, code: str) -> CaseMaterial:
    """The material to check, locked, with the open round and this material's check in it (ids, or None).

    One read instead of three: the round and the earlier verdict come as subqueries.
    """
    material = _MATERIAL_TO_CHECK.filter(case=case, code=code).first()
    if material is None or material.provenance != Provenance.SUBMIT:
        raise MaterialUnknown(_("%(code)s is not a material to submit in this case") % {"code": code})
    return material


def _check(case: Case, actor: User, verdict: CheckVerdict) -> MaterialCheck:
    """One verdict, under the case lock: replaces an earlier one of the round, records the event."""
    result, reason = verdict.result, verdict.reason
    if result not in CheckResult.values:
        raise ActionInvalid(_("a check is OK, MISSING or WRONG"))
    if result != CheckResult.OK and not reason.strip():
        raise ActionInvalid(_("say what is missing or wrong"))
    material = _material_for_check(case, verdict.material_code)
    round_id: int = material.open_round or intake_round_open(case).pk  # type: ignore[attr-defined]
    earlier_id: int | None = material.earlier_check  # type: ignore[attr-defined]
    previous = MaterialCheck.objects.get(pk=earlier_id) if earlier_id is not None else None
    paper = verdict.paper and result == CheckResult.OK
    if previous is not None and (previous.result, previous.reason, previous.paper) == (result, reason, paper):
        return previous  # the same verdict again: no effect, no event
    before = {"result": previous.result, "reason": previous.reason, "paper": previous.paper} if previous else {}
    if previous is not None:
        previous.delete()
    check = MaterialCheck.objects.create(
        round_id=round_id,
        material=material,
        result=result,
        reason=reason,
        paper=paper,
        checked_by=actor,
        checked_at=clock.now(),
    )
    if check.paper and not material.paper:
        material.paper = True
        material.paper_checked_by = actor
        material.state = MaterialState.RECEIVED
        material.save(update_fields=["paper", "paper_checked_by", "state"])
    event_record(
        case=case,
        actor=actor,
        action="intake.checked",
        before={"material": material.code, **before},
        after={"material": material.code, "result": result, "reason": reason, "paper": check.paper},
        reason=reason,
    )
    return check


@dataclass(frozen=True, slots=True)
class CheckVerdict:
    """The clerk's verdict on one material, as ``intake_check`` takes it."""

    material_code: str
    result: str
    reason: str = ""
    paper: bool = False


def intake_check_many(
    *, actor: User, case_id: int, verdicts: Sequence[CheckVerdict], idempotency_key: str | None = None
) -> IntakeRound:
    """Record several verdicts at once (all or none), in order; the current round with its checks.

    Raises:
        Http404, PermissionDenied, TransitionRefused, MaterialUnknown, ActionInvalid (also: no verdict).
    """
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.check",
        model=IntakeRound,
        run=lambda: _intake_check_many(actor=actor, case_id=case_id, verdicts=verdicts),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_check_many(*, actor: User, case_id: int, verdicts: Sequence[CheckVerdict]) -> IntakeRound:
    if not verdicts:
        raise ActionInvalid(_("check at least one material"))
    case = _clerk_case(actor, case_id)
    # One effect per material: its last verdict, in the order the materials first appear.
    last = {verdict.material_code: verdict for verdict in verdicts}
    checks = [_check(case, actor, verdict) for verdict in last.values()]
    case.version += len(checks) - 1  # one change per verdict, as one call each would count them
    case_touch(case)
    return checks[-1].round


def _materials_at_intake(
    case: Case,
    round_: IntakeRound,
    promises: Mapping[str, MaterialPromise],
    *,
    materials: Sequence[CaseMaterial] | None = None,
    checks: Mapping[int, MaterialCheck] | None = None,
) -> list[flow.MaterialAtIntake]:
    """The core's view of the materials (read unless given: every material of the case, the round's checks)."""
    if checks is None:
        checks = {c.material_id: c for c in MaterialCheck.objects.filter(round=round_).order_by()}
    if materials is None:
        materials = list(CaseMaterial.objects.filter(case=case).order_by("position"))
    return [
        flow.MaterialAtIntake(
            code=m.code,
            provenance=m.provenance,
            required=m.required,
            tolerable=m.tolerable,
            check=flow.CheckResult(checks[m.pk].result) if m.pk in checks else None,
            promised=m.code in promises,
        )
        for m in sorted(materials, key=lambda m: m.position)
    ]


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
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.accept",
        model=Case,
        run=lambda: _intake_accept(actor=actor, case_id=case_id, promises=promises or {}),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_accept(*, actor: User, case_id: int, promises: Mapping[str, MaterialPromise]) -> Case:
    case = _clerk_case(actor, case_id)
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
        _materials_at_intake(case, round_, promises, materials=list(materials.values()), checks=checks)
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


def intake_request_correction(*, actor: User, case_id: int, idempotency_key: str | None = None) -> IntakeRound:
    """Send one consolidated correction notice listing every material checked missing or wrong (一次性告知).

    Raises:
        Http404, PermissionDenied, TransitionRefused, IntakeIncomplete (nothing to correct).
    """
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.correct",
        model=IntakeRound,
        run=lambda: _intake_request_correction(actor=actor, case_id=case_id),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_request_correction(*, actor: User, case_id: int) -> IntakeRound:
    case = _clerk_case(actor, case_id)
    round_ = intake_round_open(case)
    problems = _material_problems(case, round_)
    if not problems:
        raise IntakeIncomplete(_("no material was checked missing or wrong"))
    return _correction_notice(case, round_, actor=actor, problems=problems, action="case.correction_requested")


def _material_problems(case: Case, round_: IntakeRound) -> list[dict[str, str]]:
    """Every material of the round checked missing or wrong, as the notice lists it."""
    listed = set(flow.correction_items(_materials_at_intake(case, round_, {})))
    return [
        {"code": c.material.code, "name": c.material.name, "result": c.result, "reason": c.reason}
        for c in MaterialCheck.objects.filter(round=round_).select_related("material").order_by("material__position")
        if c.material.code in listed
    ]


def _correction_notice(
    case: Case, round_: IntakeRound, *, actor: User, problems: list[dict[str, str]], action: str, reason: str = ""
) -> IntakeRound:
    """Decide the round with the one-time notice of ``problems``, return the case, tell the applicant."""
    moment = clock.now()
    round_.decision = Decision.CORRECT
    round_.decided_at = moment
    round_.decided_by = actor
    round_.document = {"case": case.tracking_code, "issued_at": moment.isoformat(), "problems": problems}
    round_.save(update_fields=["decision", "decided_at", "decided_by", "document"])
    case_move(
        case,
        "request_correction",
        actor=actor,
        action=action,
        reason=reason,
        after={"problems": [p["code"] for p in problems]},
    )
    notification_create(
        case=case,
        kind=NotificationKind.CORRECTION,
        message=_("Application %(code)s needs corrections, all listed at once: %(list)s.")
        % {
            "code": case.code_for_people,
            "list": "; ".join(f"{p['name']}: {p['reason']}" for p in problems),
        },
    )
    return round_


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
    case = _clerk_case(actor, case_id)
    if claim is None or claim.pk != case.applicant_id or claim.claim_of_id is None or claim.retired_at is not None:
        raise ActionInvalid(_("the applicant's identity needs no confirmation"))
    return case, claim, claim.claim_of_id


def intake_identity_confirm(*, actor: User, case_id: int, idempotency_key: str | None = None) -> Case:
    """The clerk has checked the papers: the claimant acts for the registered applicant of the identity.

    Every case, draft and notification of the claim moves to the registered
    applicant (one ``case.identity_confirmed`` event per case), the claim's
    members become its members, and the claim is retired.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (not an unverified claim).
    """
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.identity_confirm",
        model=Case,
        run=lambda: _intake_identity_confirm(actor=actor, case_id=case_id),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_identity_confirm(*, actor: User, case_id: int) -> Case:
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
    Draft.objects.filter(applicant=claim).update(applicant_id=registered_id)
    Notification.objects.filter(applicant=claim).update(applicant_id=registered_id)
    Licence.objects.filter(holder=claim).update(holder_id=registered_id)  # none: a claim's cases are not accepted
    for member in ApplicantMember.objects.filter(applicant=claim).select_related("user"):
        ApplicantMember.objects.get_or_create(applicant_id=registered_id, user=member.user)
    ApplicantMember.objects.filter(applicant=claim).delete()
    claim.retired_at = clock.now()
    claim.save(update_fields=["retired_at"])
    case.applicant = Applicant.objects.get(pk=registered_id)
    return case


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
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.identity_refuse",
        model=IntakeRound,
        run=lambda: _intake_identity_refuse(actor=actor, case_id=case_id, reason=reason),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_identity_refuse(*, actor: User, case_id: int, reason: str) -> IntakeRound:
    if not reason.strip():
        raise ActionInvalid(_("a reason is required"))
    case, _claim, _registered = _clerk_case_of_claim(actor, case_id)
    round_ = intake_round_open(case)
    identity = {"code": IDENTITY, "name": _("Applicant identity"), "result": CheckResult.WRONG.value, "reason": reason}
    problems = [identity, *_material_problems(case, round_)]
    return _correction_notice(
        case, round_, actor=actor, problems=problems, action="case.identity_refused", reason=reason
    )


def intake_refuse(*, actor: User, case_id: int, reason: str, idempotency_key: str | None = None) -> Case:
    """Refuse the application (不予受理) with the reason.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason).
    """
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="intake.refuse",
        model=Case,
        run=lambda: _intake_refuse(actor=actor, case_id=case_id, reason=reason),
    )


@transaction.atomic(savepoint=False)  # inside idempotent()'s block
def _intake_refuse(*, actor: User, case_id: int, reason: str) -> Case:
    if not reason.strip():
        raise ActionInvalid(_("a reason is required"))
    case = _clerk_case(actor, case_id)
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
    intake_signals_raise(case_id=case.pk, overdue=True)  # the 红牌 of the decision not made in time
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
    pending = (
        Case.objects.filter(state__in=[s.value for s in OPEN_FOR_INTAKE]).order_by("submitted_at", "id")
    ).values_list("pk", flat=True)
    for case_id in list(pending):
        try:
            if case_deem_accepted(case_id=case_id) is not None:
                result.accepted.append(case_id)
        except CalendarNotCovered as exc:
            logger.error("deemed acceptance of case %s not decided: %s", case_id, exc.message)
            result.not_computable[case_id] = exc.year
    calendar_alerts_record(cases=Counter(result.not_computable.values()))
    return result
