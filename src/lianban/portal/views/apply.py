"""Applying online: choose or register the applicant, then the draft (answers, one form, each material once).

``/apply/<thing>/?area=600&…`` (the guide's button) starts a draft; the draft
page saves itself (a button, and the page's script while typing), takes one
upload per material, and submits through ``portal.services.draft_submit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianban.accounts.access import access_applicant_for_user
from lianban.accounts.models import Applicant, ApplicantKind, User
from lianban.cases import clock, form_fields
from lianban.cases.access import may_apply
from lianban.catalog.models import Thing
from lianban.catalog.planning import planned
from lianban.catalog.selectors import compiled_thing, thing_with_lead
from lianban.core.case_errors import ApplicantInvalid
from lianban.core.catalog import FieldDef
from lianban.core.errors import AnswersInvalid, DependencyCycle, DomainError, UnknownThing
from lianban.core.planner import CompiledThing, Plan, plan
from lianban.licences.selectors import licence_best, licence_codes_held
from lianban.portal.access import access_draft_for_user
from lianban.portal.case_view import size_text
from lianban.portal.case_words import error_text
from lianban.portal.guide import QuestionField, add_problems, read_answers
from lianban.portal.menu import MaterialView, build_menu
from lianban.portal.models import Draft, DraftFile
from lianban.portal.selectors import applicants_for_thing, draft_files, draft_list_for_user
from lianban.portal.selectors import draft_file as draft_file_of
from lianban.portal.services import (
    DraftIncomplete,
    applicant_register,
    draft_answers_set,
    draft_delete,
    draft_file_store,
    draft_save,
    draft_start,
    draft_submit,
)
from lianban.portal.views.common import applicant_page, new_key, posted_key, signed_in_user, stored_file, wants_json
from lianban.portal.wording import number_text

ANSWER, FIELD, NEW = "answer-", "field-", "new"
#: The applicant profile fields of the "register a new applicant" part, in order.
NEW_APPLICANT_FIELDS = ("name", "id_number", "contact_name", "contact_phone", "address")


def _thing(code: str) -> tuple[CompiledThing, Thing]:
    try:
        compiled = compiled_thing(code)
    except UnknownThing:
        raise Http404(_("There is no such one-thing.")) from None
    return compiled, thing_with_lead(code)


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    return "" if value is None else str(value)


def _posted_answers(compiled: CompiledThing, data: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {q.key: data[prefix + q.key] for q in compiled.questions if prefix + q.key in data}


# ------------------------------------------------------------------ start


@dataclass
class NewApplicantField:
    """One input of the "register a new applicant" part."""

    key: str
    label: str
    value: str = ""
    error: str = ""
    help: str = ""
    required: bool = True
    autocomplete: str = ""

    @property
    def input_id(self) -> str:
        """The id of the input."""
        return f"new-{self.key}"


def _new_applicant_fields(kind: str, data: Mapping[str, str]) -> list[NewApplicantField]:
    enterprise = kind == ApplicantKind.ENTERPRISE
    specs = [
        (
            "name",
            _("Company name") if enterprise else _("Full name"),
            "",
            True,
            "organization" if enterprise else "name",
        ),
        (
            "id_number",
            _("Unified social credit code") if enterprise else _("Citizen identity number"),
            _("18 characters: digits and capital letters.")
            if enterprise
            else _("18 characters; the last one may be X."),
            True,
            "",
        ),
        ("contact_name", _("Contact person"), "", True, "name"),
        ("contact_phone", _("Contact phone"), _("A mobile number, or a landline with its area code."), True, "tel"),
        ("address", _("Address"), "", False, "street-address"),
    ]
    return [
        NewApplicantField(key, label, str(data.get(f"new-{key}", "")).strip()[:300], "", hint, required, auto)
        for key, label, hint, required, auto in specs
    ]


def _check_new_applicant(kind: str, fields: list[NewApplicantField]) -> bool:
    """Put a Chinese message next to each bad field; True when all are fine."""
    by_key = {f.key: f for f in fields}
    for field in fields:
        if field.required and not field.value:
            field.error = _("Please fill in %(field)s.") % {"field": field.label}
    number = by_key["id_number"]
    if number.value:
        definition = FieldDef(
            "id_number", str(number.label), "uscc" if kind == ApplicantKind.ENTERPRISE else "id_number"
        )
        _value, problem = form_fields.clean_value(definition, number.value)
        number.error = problem or ""
    phone = by_key["contact_phone"]
    if phone.value:
        _value, problem = form_fields.clean_value(FieldDef("contact_phone", str(phone.label), "phone"), phone.value)
        phone.error = problem or ""
    return not any(f.error for f in fields)


def _start_page(
    request: HttpRequest,
    compiled: CompiledThing,
    thing: Thing,
    *,
    questions: list[QuestionField],
    chosen: str,
    new_fields: list[NewApplicantField],
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "thing": thing,
        "compiled": compiled,
        "questions": questions,
        "applicants": applicants_for_thing(user, thing),
        "chosen": chosen,
        "new_fields": new_fields,
        "enterprise": thing.subject == ApplicantKind.ENTERPRISE,
        "errors": errors,
        "has_errors": bool(errors) or any(q.errors for q in questions) or any(f.error for f in new_fields),
        "drafts": list(draft_list_for_user(user).filter(thing=thing)),
        "guide_query": request.GET.urlencode(),
    }
    return render(request, "portal/apply/start.html", context, status=status)


@applicant_page
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Start an application: who applies (choose or register), the answers; then the draft."""
    user = signed_in_user(request)
    compiled, thing = _thing(code)
    if request.method != "POST":
        _answers, questions = read_answers(compiled.questions, request.GET)
        applicants = applicants_for_thing(user, thing)
        chosen = str(applicants[0].pk) if applicants else NEW
        return _start_page(
            request,
            compiled,
            thing,
            questions=questions,
            chosen=chosen,
            new_fields=_new_applicant_fields(thing.subject, {}),
            errors=[],
        )
    answers, questions = read_answers(compiled.questions, _posted_answers(compiled, request.POST, ANSWER))
    errors: list[str] = []
    if not any(q.errors for q in questions):
        try:
            plan(compiled, answers, ())
        except AnswersInvalid as exc:
            errors = add_problems(questions, exc.problems)
        except DependencyCycle:
            errors = [_("The catalog cannot order the items for these answers. Please ask at the window.")]
    chosen = request.POST.get("applicant", "")
    new_fields = _new_applicant_fields(thing.subject, request.POST)
    applicant: Applicant | None = None
    if chosen == NEW:
        _check_new_applicant(thing.subject, new_fields)
    elif chosen.isascii() and chosen.isdigit() and len(chosen) <= 18:
        applicant = access_applicant_for_user(user, int(chosen))
        if not may_apply(applicant, thing):
            raise Http404
    else:
        errors.append(_("Choose who is applying, or register a new applicant."))
    failed = bool(errors) or any(q.errors for q in questions) or any(f.error for f in new_fields)
    if not failed and applicant is None:
        values = {f.key: f.value for f in new_fields}
        try:
            applicant = applicant_register(actor=user, kind=thing.subject, **values)
        except ApplicantInvalid as exc:
            by_key = {f.key: f for f in new_fields}
            for key, problem in exc.problems.items():
                target = by_key.get(key, by_key["name"])
                target.error = _("%(field)s: %(problem)s") % {"field": target.label, "problem": problem}
            failed = True
    if failed or applicant is None:
        return _start_page(
            request,
            compiled,
            thing,
            questions=questions,
            chosen=chosen,
            new_fields=new_fields,
            errors=errors,
            status=400,
        )
    draft = draft_start(actor=user, applicant=applicant, thing_code=thing.code, answers=answers)
    messages.success(request, _("Your application is started and saved as a draft."))
    return redirect("portal:draft", draft_id=draft.pk)


# ------------------------------------------------------------------ the draft


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of the merged form as the page shows it."""

    spec: FieldDef
    value: str
    error: str
    prefilled: bool

    @property
    def prefilled_from(self) -> str:
        """``applicant`` or ``answer`` when the value is the one already known, else ""."""
        return (self.spec.prefill or "").partition(".")[0] if self.prefilled else ""

    @property
    def control(self) -> str:
        """How the page asks for the value: the field's type, or radio/select for a choice."""
        if self.spec.type == "choice":
            return "radio" if len(self.spec.options or ()) <= RADIO_OPTIONS else "select"
        return self.spec.type

    @property
    def min(self) -> str:
        """The lower bound as an input attribute ("" when none)."""
        return _bound(self.spec.min)

    @property
    def max(self) -> str:
        """The upper bound as an input attribute ("" when none)."""
        return _bound(self.spec.max)

    @property
    def step(self) -> str:
        """The step of a number input."""
        return {"integer": "1", "amount": "0.01"}.get(self.spec.type, "any")

    @property
    def input_id(self) -> str:
        """The id of the input (the first radio for yes/no)."""
        return f"f-{self.spec.key}"

    @property
    def name(self) -> str:
        """The posted name."""
        return FIELD + self.spec.key


#: A choice with at most this many options is asked with radio buttons, a longer one with a list.
RADIO_OPTIONS = 5


def _bound(value: int | float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class MaterialSlot:
    """A material of the plan with what was uploaded for it."""

    material: MaterialView
    file: DraftFile | None
    error: str
    licence_number: str

    @property
    def must_upload(self) -> bool:
        """Required, and not one that may come later (容缺)."""
        return self.material.required and not self.material.tolerable


def _form_fields(
    keys: Sequence[str], draft: Draft, errors: Mapping[str, str], posted: Mapping[str, str] | None
) -> list[FormField]:
    result = []
    known = form_fields.definitions(keys)
    for key in keys:
        spec = form_fields.field_definition(key, known)
        prefill = form_fields.prefill_value(spec, draft.applicant, draft.answers)
        value = posted.get(key, "") if posted is not None else str(draft.form.get(key, prefill) or "")
        result.append(FormField(spec, value, errors.get(key, ""), bool(prefill) and value == prefill))
    return result


def _draft_page(
    request: HttpRequest,
    draft: Draft,
    *,
    questions: list[QuestionField] | None = None,
    field_errors: Mapping[str, str] | None = None,
    material_errors: Mapping[str, str] | None = None,
    errors: list[str] | None = None,
    posted_form: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    compiled = compiled_thing(draft.thing.code)
    errors = list(errors or [])
    if questions is None:
        _answers, questions = read_answers(compiled.questions, {k: _answer_text(v) for k, v in draft.answers.items()})
    today = clock.today()
    held = licence_codes_held(holder=draft.applicant, on=today)
    menu = None
    draft_plan: Plan | None = None
    try:
        draft_plan = planned(draft.thing.code, draft.answers, held, explained=False).plan
        menu = build_menu(draft_plan, compiled)
    except AnswersInvalid as exc:
        errors += add_problems(questions, exc.problems)
    except DependencyCycle:
        errors.append(_("The catalog cannot order the items for these answers. Please ask at the window."))
    files = draft_files(draft)
    material_errors = material_errors or {}
    slots: list[MaterialSlot] = []
    others: list[MaterialSlot] = []
    if menu is not None:
        for material in menu.to_submit:
            slots.append(MaterialSlot(material, files.get(material.code), material_errors.get(material.code, ""), ""))
        for material in menu.not_submitted:
            number = ""
            if material.provenance == "licence":
                licence = licence_best(holder=draft.applicant, material_code=material.code, on=today)
                number = licence.number if licence else ""
            others.append(MaterialSlot(material, None, "", number))
    fields = _form_fields(draft_plan.fields, draft, field_errors or {}, posted_form) if draft_plan is not None else []
    has_errors = bool(errors) or any(q.errors for q in questions) or any(f.error for f in fields)
    has_errors = has_errors or any(s.error for s in slots)
    context = {
        "draft": draft,
        "thing": draft.thing,
        "questions": questions,
        "menu": menu,
        "fields": fields,
        "slots": slots,
        "others": others,
        "uploaded": sum(1 for s in slots if s.file),
        "errors": errors,
        "has_errors": has_errors,
        "answers_open": menu is None or any(q.errors for q in questions),
        "idempotency_key": new_key(),
        "max_upload_mb": settings.LIANBAN_MAX_UPLOAD_MB,
    }
    return render(request, "portal/apply/draft.html", context, status=status)


def _open_draft(request: HttpRequest, draft_id: int) -> Draft:
    return access_draft_for_user(signed_in_user(request), draft_id)


@applicant_page
def draft_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The draft: answers, the one merged form, each material once; save, autosave, submit."""
    user = signed_in_user(request)
    draft = _open_draft(request, draft_id)
    if draft.case_id is not None:
        return redirect("portal:case_submitted", case_id=draft.case_id)
    if request.method != "POST":
        return _draft_page(request, draft)
    action = request.POST.get("action", "save")
    posted = {key[len(FIELD) :]: request.POST.get(key, "") for key in request.POST if key.startswith(FIELD)}
    try:
        draft = draft_save(actor=user, draft_id=draft.pk, form=posted)
    except DomainError as exc:
        if wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(exc)}, status=400)
        messages.error(request, error_text(exc))
        return redirect("portal:draft", draft_id=draft.pk)
    if action == "autosave":
        return JsonResponse({"ok": True, "saved_at": f"{timezone.localtime(clock.now()):%H:%M}"})
    compiled = compiled_thing(draft.thing.code)
    answers, questions = read_answers(compiled.questions, _posted_answers(compiled, request.POST, ANSWER))
    if any(q.errors for q in questions):
        return _draft_page(request, draft, questions=questions, status=400)
    changed = answers != draft.answers
    if changed:
        try:
            draft = draft_answers_set(actor=user, draft_id=draft.pk, answers=answers)
        except AnswersInvalid as exc:
            errors = add_problems(questions, exc.problems)
            return _draft_page(request, draft, questions=questions, errors=errors, status=400)
    if action != "submit":
        messages.success(request, _("Draft saved."))
        return redirect("portal:draft", draft_id=draft.pk)
    if changed:
        messages.warning(request, _("Your answers changed the list of items and materials. Check it, then submit."))
        return redirect("portal:draft", draft_id=draft.pk)
    try:
        case = draft_submit(actor=user, draft_id=draft.pk, idempotency_key=posted_key(request))
    except DraftIncomplete as exc:
        return _draft_page(request, draft, field_errors=exc.fields, material_errors=exc.materials, status=400)
    except (DomainError, PermissionDenied) as exc:
        return _draft_page(request, draft, errors=[error_text(exc)], status=400)
    return redirect("portal:case_submitted", case_id=case.pk)


@applicant_page
def draft_upload(request: HttpRequest, draft_id: int, material: str) -> HttpResponse:
    """Upload (or replace) one material's file; JSON for the page's script, a redirect for plain forms."""
    user = signed_in_user(request)
    draft = _open_draft(request, draft_id)
    if request.method != "POST":
        return redirect(reverse("portal:draft", args=[draft.pk]) + f"#m-{material}")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(_("Choose a file first."))
        stored = draft_file_store(actor=user, draft_id=draft.pk, material_code=material, file=upload)
    except (DomainError, PermissionDenied) as exc:
        if wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(exc)}, status=400)
        if draft.case_id is not None:
            return redirect("portal:case_submitted", case_id=draft.case_id)
        return _draft_page(request, draft, material_errors={material: error_text(exc)}, status=400)
    if wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "material": material,
                "name": stored.original_name,
                "size": size_text(stored.size),
                "url": reverse("portal:draft_file", args=[draft.pk, material]),
            }
        )
    messages.success(request, _("Uploaded: %(name)s.") % {"name": stored.original_name})
    return redirect(reverse("portal:draft", args=[draft.pk]) + f"#m-{material}")


@applicant_page
def draft_file(request: HttpRequest, draft_id: int, material: str) -> HttpResponseBase:
    """A file uploaded to one of the user's drafts."""
    draft = _open_draft(request, draft_id)
    stored = draft_file_of(draft, material)
    if stored is None:
        raise Http404
    return stored_file(stored.file, filename=stored.original_name, content_type=stored.content_type)


@applicant_page
def draft_remove(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Delete a draft (POST, after a confirmation)."""
    user: User = signed_in_user(request)
    draft = _open_draft(request, draft_id)
    if request.method != "POST":
        return redirect("portal:draft", draft_id=draft.pk)
    try:
        draft_delete(actor=user, draft_id=draft.pk)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("portal:my_cases")
    messages.success(request, _("The draft was deleted."))
    return redirect("portal:my_cases")
