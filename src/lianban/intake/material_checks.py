"""Intake checks at the window: the clerk checks each material (ok / missing / wrong, 纸质文档 too); what the
checks say at acceptance, and the one-time correction notice (一次性告知) they make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import clerk_serves
from lianban.cases.audit import chain_head_columns, chain_head_remember
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseMaterial, MaterialState, NotificationKind, Provenance
from lianban.cases.notifications import notification_create
from lianban.cases.workflow import case_move, case_touch, lock_case_for_user
from lianban.common.idempotency import command
from lianban.common.prepared import PreparedQuery, insert_row, save_fields
from lianban.core import case_flow as flow
from lianban.core.case_errors import ChoiceInvalid, MaterialUnknown, NothingChosen, TextRequired, TransitionRefused
from lianban.intake.models import CheckResult, Decision, IntakeRound, MaterialCheck


@dataclass(frozen=True, slots=True)
class MaterialPromise:
    """A written promise to supply a tolerable material later (容缺)."""

    due: date
    text: str = ""


#: Case states in which intake may check and decide.
OPEN_FOR_INTAKE = flow.OPEN_FOR_INTAKE


def clerk_case(actor: User, case_id: int) -> Case:
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
    case = clerk_case(actor, case_id)
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
        **chain_head_columns(),
    )
    .order_by()
)


_MATERIAL_TO_CHECK_BY_CODE = PreparedQuery(
    lambda case_id, code: _MATERIAL_TO_CHECK.filter(case_id=case_id, code=code).order_by("pk")[:1],
    case_id=int,
    code=str,
)


def _material_for_check(case: Case, code: str) -> CaseMaterial:
    """The material to check, locked, with the open round and this material's check in it (ids, or None).

    One read instead of four: the round, the earlier verdict and the head of the case's audit chain
    come as subqueries.
    """
    material = _MATERIAL_TO_CHECK_BY_CODE.first(case_id=case.pk, code=code)
    if material is None or material.provenance != Provenance.SUBMIT:
        raise MaterialUnknown(_("%(code)s is not a material to submit in this case") % {"code": code})
    chain_head_remember(case.pk, material.chain_seq, material.chain_hash)  # type: ignore[attr-defined]
    return material


def _check(case: Case, actor: User, verdict: CheckVerdict) -> MaterialCheck:
    """One verdict, under the case lock: replaces an earlier one of the round, records the event."""
    result, reason = verdict.result, verdict.reason
    if result not in CheckResult.values:
        raise ChoiceInvalid(_("a check is OK, MISSING or WRONG"))
    if result != CheckResult.OK and not reason.strip():
        raise TextRequired(_("say what is missing or wrong"))
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
    check = MaterialCheck(
        round_id=round_id,
        material=material,
        result=result,
        reason=reason,
        paper=paper,
        checked_by=actor,
        checked_at=clock.now(),
    )
    insert_row(check)
    if check.paper and not material.paper:
        material.paper = True
        material.paper_checked_by = actor
        material.state = MaterialState.RECEIVED
        save_fields(material, ["paper", "paper_checked_by", "state"])
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


@command(operation="intake.check", model=IntakeRound)
def intake_check_many(
    *, actor: User, case_id: int, verdicts: Sequence[CheckVerdict], idempotency_key: str | None = None
) -> IntakeRound:
    """Record several verdicts at once (all or none), in order; the current round with its checks.

    Raises:
        Http404, PermissionDenied, TransitionRefused, MaterialUnknown, ActionInvalid (also: no verdict).
    """
    if not verdicts:
        raise NothingChosen(_("check at least one material"))
    case = clerk_case(actor, case_id)
    # One effect per material: its last verdict, in the order the materials first appear.
    last = {verdict.material_code: verdict for verdict in verdicts}
    checks = [_check(case, actor, verdict) for verdict in last.values()]
    case.version += len(checks) - 1  # one change per verdict, as one call each would count them
    case_touch(case)
    return checks[-1].round


def materials_at_intake(
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


def material_problems(case: Case, round_: IntakeRound) -> list[dict[str, str]]:
    """Every material of the round checked missing or wrong, as the notice lists it."""
    listed = set(flow.correction_items(materials_at_intake(case, round_, {})))
    return [
        {"code": c.material.code, "name": c.material.name, "result": c.result, "reason": c.reason}
        for c in MaterialCheck.objects.filter(round=round_).select_related("material").order_by("material__position")
        if c.material.code in listed
    ]


def correction_notice(
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
