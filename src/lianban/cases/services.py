"""Writes of cases: submission (plan frozen), uploads and resupply, resubmission, withdrawal.

Intake decisions are in ``lianban.intake.services``, department review in
``lianban.review.services``, issuance and the bill in
``lianban.issuance.services``; they all share ``lianban.cases.workflow``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import Http404
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, Role, User
from lianban.cases import clock
from lianban.cases.access import clerk_serves, may_apply, user_acts_for_case
from lianban.cases.events import event_record
from lianban.cases.models import (
    PLAN_SCHEMA_VERSION,
    Case,
    CaseMaterial,
    Channel,
    ItemCase,
    MaterialState,
    NotificationKind,
    Provenance,
)
from lianban.cases.notifications import notification_create
from lianban.cases.uploads import upload_store
from lianban.cases.workflow import (
    after_withdrawal,
    case_move,
    case_touch,
    eta_refresh,
    lock_case_for_user,
    lock_item_cases,
    refresh_held,
)
from lianban.catalog.models import Department, Thing
from lianban.catalog.selectors import compiled_thing
from lianban.common.idempotency import command
from lianban.core import case_flow as flow
from lianban.core.case_errors import (
    ApplicantKindMismatch,
    CaseNotInState,
    FormInvalid,
    MaterialUnknown,
    TextRequired,
)
from lianban.core.form_fields import clean_form
from lianban.core.planner import plan as make_plan
from lianban.core.tracking import ALPHABET, LENGTH
from lianban.licences.selectors import licence_best, licence_codes_held

#: States in which the applicant may (re)upload submitted materials.
UPLOAD_STATES = frozenset({flow.CaseState.SUBMITTED, flow.CaseState.CORRECTION_REQUESTED, flow.CaseState.RESUBMITTED})


def tracking_code_new() -> str:
    """A fresh, unused tracking code (12 random Crockford base32 characters)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not Case.objects.filter(tracking_code=code).exists():
            return code


def _submitter(actor: User, applicant: Applicant, thing: Thing) -> tuple[str, User | None]:
    """The channel and the clerk who entered the case, or 404/403."""
    if actor.role == Role.APPLICANT:
        if not applicant.memberships.filter(user=actor).exists():
            raise Http404
        return Channel.ONLINE, None
    if actor.role == Role.CLERK:
        if actor.department_id is not None and actor.department_id != thing.lead_department_id:
            raise PermissionDenied(_("this window does not serve this one-thing"))
        return Channel.WINDOW, actor
    raise PermissionDenied(_("only applicants and window clerks submit applications"))


@command(operation="case.submit", model=Case)
def case_submit(
    *,
    actor: User,
    applicant: Applicant,
    thing_code: str,
    answers: Mapping[str, Any],
    form: Mapping[str, Any],
    files: Mapping[str, File[bytes]] | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """Submit a one-thing application: plan it, freeze the plan, open the case.

    An applicant user submits online for an applicant they act for; a window
    clerk submits on the applicant's behalf (channel ``WINDOW``, recorded as
    ``entered_by``). Licences the applicant holds in the library are attached
    by themselves (provenance ``licence``). ``files`` maps material codes to
    uploads handed in with the application.

    Raises:
        Http404: the applicant user does not act for ``applicant``.
        PermissionDenied: the actor may not submit (role, or another window's thing).
        UnknownThing, AnswersInvalid, FormInvalid, UploadRefused, MaterialUnknown, ActionInvalid.
    """
    files = files or {}
    compiled = compiled_thing(thing_code)
    thing = Thing.objects.select_related("lead_department").get(code=thing_code)
    channel, entered_by = _submitter(actor, applicant, thing)
    if not may_apply(applicant, thing):
        raise ApplicantKindMismatch(
            _("%(thing)s is for applicants of kind %(subject)s") % {"thing": thing.name, "subject": thing.subject}
        )
    today = clock.today()
    held = licence_codes_held(holder=applicant, on=today)
    planned = make_plan(compiled, answers, held)
    values, problems = clean_form(compiled.field_definitions, planned.fields, form)
    if problems:
        raise FormInvalid(problems)
    submit_codes = {m.code for m in planned.materials if m.provenance == Provenance.SUBMIT}
    unknown = sorted(set(files) - submit_codes)
    if unknown:
        raise MaterialUnknown(_("not a material to submit in this plan: %(codes)s") % {"codes": ", ".join(unknown)})

    moment = clock.now()
    case = Case.objects.create(
        tracking_code=tracking_code_new(),
        applicant=applicant,
        thing=thing,
        lead_department=thing.lead_department,
        answers=dict(planned.answers),
        plan=planned.to_dict(),
        plan_schema_version=PLAN_SCHEMA_VERSION,
        form=values,
        channel=channel,
        submitted_by=actor,
        entered_by=entered_by,
        state=flow.CaseState.SUBMITTED.value,
        submitted_at=moment,
        updated_at=moment,
        sweep_on=clock.local_date(moment),  # the intake signals start now
    )
    departments = {d.code: d for d in Department.objects.filter(code__in={i.department for i in planned.items})}
    item_cases = ItemCase.objects.bulk_create(
        ItemCase(
            case=case,
            item_code=item.code,
            item_name=item.name,
            department=departments[item.department],
            position=position,
            stage=item.stage,
            after=list(item.after),
            produces=list(item.produces),
            legal_days=item.legal_days,
            promised_days=item.promised_days,
            fee=item.fee,
        )
        for position, item in enumerate(planned.items)
    )
    attached: list[str] = []
    materials: list[CaseMaterial] = []
    for position, m in enumerate(planned.materials):
        material = CaseMaterial(
            case=case,
            code=m.code,
            name=m.name,
            position=position,
            source=m.source,
            provenance=m.provenance,
            required=m.required,
            tolerable=m.tolerable,
            needed_by=list(m.needed_by),
            produced_by=m.produced_by or "",
        )
        if m.provenance == Provenance.LICENCE:
            material.licence = licence_best(holder=applicant, material_code=m.code, on=today)
            material.state = MaterialState.RECEIVED
            attached.append(m.code)
        elif m.provenance == Provenance.PRODUCED:
            material.state = MaterialState.AWAITING_RESULT
        if m.code in files:
            stored = upload_store(file=files[m.code], folder=f"cases/{case.tracking_code}")
            _apply_file(material, stored.as_dict())
        materials.append(material)
    CaseMaterial.objects.bulk_create(materials)
    event_record(
        case=case,
        actor=actor,
        action="case.submitted",
        after={
            "state": case.state,
            "thing": thing.code,
            "channel": channel,
            "items": [i.code for i in planned.items],
            "licences_attached": attached,
            "files": sorted(files),
        },
    )
    notification_create(
        case=case,
        kind=NotificationKind.SUBMITTED,
        message=_("Your application %(code)s for %(thing)s was received.")
        % {"code": case.code_for_people, "thing": thing.name},
    )
    eta_refresh(case, item_cases)
    return case


def _apply_file(material: CaseMaterial, stored: Mapping[str, Any]) -> None:
    material.file = stored["file"]
    material.original_name = stored["original_name"]
    material.sha256 = stored["sha256"]
    material.size = stored["size"]
    material.content_type = stored["content_type"]
    material.uploaded_at = clock.now()
    material.state = MaterialState.RECEIVED


def _file_snapshot(material: CaseMaterial) -> dict[str, Any]:
    return {
        "material_state": material.state,
        "file": material.file.name or "",
        "sha256": material.sha256,
        "size": material.size,
        "content_type": material.content_type,
        "original_name": material.original_name,
    }


@command(operation="material.upload", model=CaseMaterial)
def case_material_upload(
    *, actor: User, case_id: int, material_code: str, file: File[bytes], idempotency_key: str | None = None
) -> CaseMaterial:
    """Hand in (or replace) a material's file.

    Before the intake decision the applicant (or the clerk at the window)
    uploads or replaces any material to submit; the old file is kept in
    storage and named in the event. After acceptance only a material promised
    under 容缺 can be supplied, which releases the items it held back.

    Raises:
        Http404, PermissionDenied, MaterialUnknown, UploadRefused, ActionInvalid.
    """
    case = lock_case_for_user(actor, case_id)
    if not (user_acts_for_case(actor, case) or clerk_serves(actor, case)):
        raise PermissionDenied(_("only the applicant or the window hands in materials"))
    material = (
        CaseMaterial.objects.select_for_update(of=("self",)).filter(case=case, code=material_code).order_by().first()
    )
    if material is None or material.provenance != Provenance.SUBMIT:
        raise MaterialUnknown(_("%(code)s is not a material to submit in this case") % {"code": material_code})
    promised = material.state == MaterialState.PROMISED
    if case.state not in UPLOAD_STATES and not (promised and case.state == flow.CaseState.IN_PROGRESS):
        raise CaseNotInState(_("materials cannot be changed in state %(state)s") % {"state": case.state})
    before = _file_snapshot(material)
    stored = upload_store(file=file, folder=f"cases/{case.tracking_code}")
    _apply_file(material, stored.as_dict())
    fields = ["file", "original_name", "sha256", "size", "content_type", "uploaded_at", "state"]
    if promised:
        material.supplied_at = clock.now()
        fields.append("supplied_at")
    material.save(update_fields=fields)
    event_record(
        case=case,
        actor=actor,
        action="material.supplied" if promised else ("material.replaced" if before["file"] else "material.uploaded"),
        before={"material": material.code, **before},
        after={"material": material.code, **_file_snapshot(material)},
    )
    case_touch(case)
    if promised:
        items = lock_item_cases(case)
        refresh_held(case, items, actor=actor)
    return material


@command(operation="case.resubmit", model=Case)
def case_resubmit(*, actor: User, case_id: int, idempotency_key: str | None = None) -> Case:
    """The applicant has resupplied what the correction notice listed: intake runs again.

    Raises:
        Http404, PermissionDenied, TransitionRefused.
    """
    case = lock_case_for_user(actor, case_id)
    if not (user_acts_for_case(actor, case) or clerk_serves(actor, case)):
        raise PermissionDenied(_("only the applicant or the window resubmits"))
    case_move(case, "resubmit", actor=actor, action="case.resubmitted", fields={"resubmitted_at": clock.now()})
    eta_refresh(case, lock_item_cases(case))
    return case


@command(operation="case.withdraw", model=Case)
def case_withdraw(*, actor: User, case_id: int, reason: str, idempotency_key: str | None = None) -> Case:
    """The applicant withdraws the application (any time before issuance); open item cases are cancelled.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason).
    """
    case = lock_case_for_user(actor, case_id)
    if not user_acts_for_case(actor, case):
        raise PermissionDenied(_("only the applicant withdraws an application"))
    if not reason.strip():
        raise TextRequired(_("a reason is required"))
    items = lock_item_cases(case)
    moment = clock.now()
    case_move(
        case,
        "withdraw",
        actor=actor,
        action="case.withdrawn",
        reason=reason,
        fields={"outcome": flow.CaseOutcome.WITHDRAWN.value, "closed_at": moment, "decision_reason": reason},
    )
    after_withdrawal(case, items, actor=actor)  # the core cancels every open item
    notification_create(
        case=case,
        kind=NotificationKind.WITHDRAWN,
        message=_("Your application %(code)s was withdrawn.") % {"code": case.code_for_people},
    )
    return case
