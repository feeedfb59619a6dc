"""Writes of the portal: application drafts, and registering an applicant from the apply page.

A draft holds what the applicant prepares before submitting: answers, the
merged form as typed, one file per material to submit (checked and stored by
``lianban.cases.uploads``, the case engine's own checks). ``draft_submit``
validates the form with the portal's field table, then hands everything to
``lianban.cases.services.case_submit``, which plans, freezes and opens the case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, ApplicantMember, Role, User
from lianban.accounts.services import applicant_create
from lianban.cases import clock
from lianban.cases.access import may_apply
from lianban.cases.form_fields import MAX_TEXTAREA, clean_form, field_definition, prefill_value
from lianban.cases.models import Case
from lianban.cases.services import case_submit
from lianban.cases.uploads import upload_store
from lianban.catalog.models import Thing
from lianban.catalog.selectors import compiled_thing, field_definitions
from lianban.core.case_errors import (
    ApplicantKindMismatch,
    DraftSubmitted,
    MaterialUnknown,
    TooManyFields,
)
from lianban.core.conditions import Value
from lianban.core.errors import DomainError
from lianban.core.planner import Plan, plan
from lianban.licences.selectors import licence_codes_held
from lianban.portal.access import access_draft_for_user
from lianban.portal.models import Draft, DraftFile

logger = logging.getLogger(__name__)

_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,59}$")
#: Most field keys a draft keeps (a plan has a few dozen).
MAX_FIELDS = 200


class DraftIncomplete(DomainError):
    """A draft that cannot be submitted yet: field problems and materials still to upload."""

    code = "draft-incomplete"

    def __init__(self, fields: Mapping[str, str], materials: Mapping[str, str]) -> None:
        parts = [f"{key}: {text}" for key, text in {**fields, **materials}.items()]
        super().__init__("; ".join(parts))
        self.fields = dict(fields)
        self.materials = dict(materials)


def _require_applicant(actor: User) -> None:
    if actor.role != Role.APPLICANT or not actor.is_active:
        raise PermissionDenied(_("Only applicants apply online."))


def applicant_register(
    *,
    actor: User,
    kind: str,
    id_number: str,
    name: str,
    contact_name: str,
    contact_phone: str,
    address: str = "",
) -> Applicant:
    """Register an applicant the actor acts for (``accounts.services.applicant_create``).

    An identity already registered by other accounts gives the actor a claim
    (a provisional applicant with what they typed, confirmed at the window);
    the answer does not tell the two apart.

    Raises:
        PermissionDenied: the actor is not an applicant user.
        ApplicantInvalid: a bad identity number, a missing name or contact.
    """
    _require_applicant(actor)
    return applicant_create(
        actor=actor,
        kind=kind,
        id_number=id_number,
        name=name,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
    )


def draft_plan(draft: Draft) -> Plan:
    """The plan of a draft as ``case_submit`` would compute it today (with the applicant's licences).

    Raises:
        UnknownThing, AnswersInvalid, DependencyCycle.
    """
    held = licence_codes_held(holder=draft.applicant, on=clock.today())
    return plan(compiled_thing(draft.thing.code), draft.answers, held)


def _prefilled(keys: tuple[str, ...], applicant: Applicant, answers: Mapping[str, Any]) -> dict[str, str]:
    form = {}
    known = field_definitions(keys)
    for key in keys:
        value = prefill_value(field_definition(key, known), applicant, answers)
        if value:
            form[key] = value
    return form


@transaction.atomic
def draft_start(*, actor: User, applicant: Applicant, thing_code: str, answers: Mapping[str, Value]) -> Draft:
    """Start a draft for a one-thing on behalf of an applicant, with the form prefilled from what is known.

    Raises:
        PermissionDenied: not an applicant user.
        Http404: the actor does not act for ``applicant``.
        UnknownThing, AnswersInvalid, ActionInvalid (the thing is for the other kind of applicant).
    """
    _require_applicant(actor)
    if not ApplicantMember.objects.filter(applicant=applicant, user=actor).exists():
        raise Http404
    compiled = compiled_thing(thing_code)
    thing = Thing.objects.get(code=thing_code)
    if not may_apply(applicant, thing):
        raise ApplicantKindMismatch(_("This one-thing is for another kind of applicant."))
    planned = plan(compiled, answers, licence_codes_held(holder=applicant, on=clock.today()))
    return Draft.objects.create(
        user=actor,
        applicant=applicant,
        thing=thing,
        answers=dict(planned.answers),
        form=_prefilled(planned.fields, applicant, planned.answers),
        updated_at=clock.now(),
    )


def _locked_draft(actor: User, draft_id: int) -> Draft:
    """The actor's draft, locked; refused once it has been submitted."""
    access_draft_for_user(actor, draft_id)
    draft = Draft.objects.select_for_update().select_related("applicant", "thing").get(pk=draft_id)
    if draft.case_id is not None:
        raise DraftSubmitted(_("This draft has already been submitted."))
    return draft


@transaction.atomic
def draft_save(*, actor: User, draft_id: int, form: Mapping[str, str]) -> Draft:
    """Store the form as typed (unchecked: a draft may be incomplete); other keys already saved stay.

    Raises:
        Http404, ActionInvalid (submitted, or too many fields).
    """
    draft = _locked_draft(actor, draft_id)
    merged = dict(draft.form)
    for key, value in form.items():
        if _FIELD_KEY.match(key):
            merged[key] = str(value)[:MAX_TEXTAREA]
    if len(merged) > MAX_FIELDS:
        raise TooManyFields(_("Too many form fields."))
    draft.form = merged
    draft.updated_at = clock.now()
    draft.save(update_fields=["form", "updated_at"])
    return draft


@transaction.atomic
def draft_answers_set(*, actor: User, draft_id: int, answers: Mapping[str, Value]) -> Draft:
    """Change the answers: the plan (items, materials, fields) follows; new fields are prefilled.

    Files of materials the new plan no longer needs are kept, in case the answers change back.

    Raises:
        Http404, ActionInvalid, AnswersInvalid.
    """
    draft = _locked_draft(actor, draft_id)
    held = licence_codes_held(holder=draft.applicant, on=clock.today())
    planned = plan(compiled_thing(draft.thing.code), answers, held)
    added = _prefilled(tuple(k for k in planned.fields if k not in draft.form), draft.applicant, planned.answers)
    draft.answers = dict(planned.answers)
    draft.form = {**draft.form, **added}
    draft.updated_at = clock.now()
    draft.save(update_fields=["answers", "form", "updated_at"])
    return draft


def _delete_stored(names: list[str]) -> None:
    """Remove files from storage once the transaction has committed."""

    def remove() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete draft file %s", name)

    if names:
        transaction.on_commit(remove)


@transaction.atomic
def draft_file_store(*, actor: User, draft_id: int, material_code: str, file: File[bytes]) -> DraftFile:
    """Hand in (or replace) the file of one material to submit, checked like every case upload.

    Raises:
        Http404, ActionInvalid, MaterialUnknown, UploadRefused (type, size, empty), AnswersInvalid.
    """
    draft = _locked_draft(actor, draft_id)
    planned = draft_plan(draft)
    if not any(m.code == material_code and m.provenance == "submit" for m in planned.materials):
        raise MaterialUnknown(_("%(code)s is not a material to submit in this application.") % {"code": material_code})
    stored = upload_store(file=file, folder=f"drafts/{draft.pk}")
    previous = DraftFile.objects.filter(draft=draft, material_code=material_code).first()
    fields = {
        "file": stored.name,
        "original_name": stored.original_name,
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
        "uploaded_at": clock.now(),
    }
    if previous is None:
        result = DraftFile.objects.create(draft=draft, material_code=material_code, **fields)
    else:
        _delete_stored([previous.file.name] if previous.file.name else [])
        for name, value in fields.items():
            setattr(previous, name, value)
        previous.save(update_fields=list(fields))
        result = previous
    draft.updated_at = clock.now()
    draft.save(update_fields=["updated_at"])
    return result


@transaction.atomic
def draft_delete(*, actor: User, draft_id: int) -> None:
    """Delete a draft that was not submitted, and its files.

    Raises:
        Http404, ActionInvalid (already submitted).
    """
    draft = _locked_draft(actor, draft_id)
    names = [f.file.name for f in draft.files.all() if f.file.name]
    draft.delete()
    _delete_stored(names)


def draft_submit(*, actor: User, draft_id: int, idempotency_key: str | None = None) -> Case:
    """Submit the draft: check the form and the uploads, then ``case_submit``; the draft records the case.

    Submitting a draft again (a double click, a resent form) returns the case it already became.
    Every required material to submit must be uploaded, except those that may come later (容缺).

    Raises:
        Http404, PermissionDenied, DraftIncomplete, AnswersInvalid, and whatever ``case_submit`` raises.
    """
    with transaction.atomic():
        access_draft_for_user(actor, draft_id)
        draft = Draft.objects.select_for_update().select_related("applicant", "thing").get(pk=draft_id)
        if draft.case_id is not None:
            return Case.objects.get(pk=draft.case_id)
        planned = draft_plan(draft)
        values, problems = clean_form(planned.fields, draft.form)
        files = {f.material_code: f for f in draft.files.all()}
        to_submit = [m for m in planned.materials if m.provenance == "submit"]
        missing = {
            m.code: _("Upload this material.")
            for m in to_submit
            if m.required and not m.tolerable and m.code not in files
        }
        if problems or missing:
            raise DraftIncomplete(problems, missing)
        handles = {
            m.code: File(default_storage.open(str(files[m.code].file.name), "rb"), name=files[m.code].original_name)
            for m in to_submit
            if m.code in files
        }
        try:
            case = case_submit(
                actor=actor,
                applicant=draft.applicant,
                thing_code=draft.thing.code,
                answers=draft.answers,
                form=values,
                files=handles,
                idempotency_key=idempotency_key,
            )
        finally:
            for handle in handles.values():
                handle.close()
        draft.case = case
        draft.updated_at = clock.now()
        draft.save(update_fields=["case", "updated_at"])
        names = [f.file.name for f in files.values() if f.file.name]
        DraftFile.objects.filter(draft=draft).delete()
        _delete_stored(names)
        return case


def drafts_move(claim_id: int, registered_id: int) -> None:
    """The drafts of a claimed applicant go to the registered applicant it was confirmed as."""
    Draft.objects.filter(applicant_id=claim_id).update(applicant_id=registered_id)
