"""The applicant's cases: the list (with drafts), one case, and what the applicant does on it.

Every case is read through ``access_case_for_user`` (404 for anything not
theirs); every change goes through the case engine's services, with the
form's idempotency key; a refusal is shown as a message, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lianban.cases import clock
from lianban.cases.access import access_case_for_user
from lianban.cases.form_fields import case_form_rows
from lianban.cases.models import Case, MaterialState
from lianban.cases.selectors import case_can_rate, case_has_item_case, case_material_file
from lianban.cases.services import case_material_upload, case_resubmit, case_withdraw
from lianban.common.http import absolute_url
from lianban.common.pages import list_page
from lianban.core import case_flow as flow
from lianban.core.errors import DomainError
from lianban.portal.case_view import (
    can_withdraw,
    case_row,
    eta_note,
    next_steps,
    progress_view,
    size_text,
    waiting_note,
)
from lianban.portal.case_words import (
    BILL_STATUSES,
    MATERIAL_STATES,
    NOTIFICATION_KINDS,
    error_text,
    state_text,
)
from lianban.portal.selectors import CASE_ORDER, DRAFT_ORDER, case_detail, case_rows_for_user, draft_list_for_user
from lianban.portal.views.common import applicant_page, posted_key, signed_in_user, stored_file, wants_json
from lianban.review.selectors import supplement_file as supplement_file_of
from lianban.review.services import item_case_supply


def _case(request: HttpRequest, case_id: int) -> Case:
    return access_case_for_user(signed_in_user(request), case_id)


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("portal:case", args=[case.pk]) + (f"#{anchor}" if anchor else "")


@applicant_page
def my_cases(request: HttpRequest) -> HttpResponse:
    """Drafts and cases of the applicants the user acts for: state, dates, what to do next."""
    user = signed_in_user(request)
    context = {
        "drafts": list_page(request, draft_list_for_user(user), DRAFT_ORDER, param="drafts", anchor="drafts-title"),
        "rows": list_page(
            request,
            case_rows_for_user(user),
            CASE_ORDER,
            anchor="cases-title",
            row=lambda cases: [case_row(case) for case in cases],
        ),
    }
    return render(request, "portal/cases/list.html", context)


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    material_errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    detail = case_detail(user, case)
    materials = {m.code: m for m in detail.materials}
    promised = [m for m in detail.materials if m.state == MaterialState.PROMISED]
    correction = detail.correction
    problems = []
    if correction is not None:
        for problem in correction.document.get("problems", []):
            material = materials.get(problem["code"])
            replaced = bool(
                material
                and material.uploaded_at
                and correction.decided_at
                and material.uploaded_at > correction.decided_at
            )
            problems.append({**problem, "material": material, "replaced": replaced})
    steps = next_steps(case, detail.items, promised)
    correction_open = case.state == flow.CaseState.CORRECTION_REQUESTED
    # Resubmitted after the notice: the notice is answered (the window checks again, or has decided).
    resubmitted_on = (
        clock.local_date(case.resubmitted_at)
        if correction is not None
        and not correction_open
        and case.resubmitted_at
        and correction.decided_at
        and case.resubmitted_at > correction.decided_at
        else None
    )
    context = {
        "case": case,
        "code": case.code_for_people,
        "thing_name": case.thing_name,
        "state_text": state_text(case.state),
        "submitted_on": clock.local_date(case.submitted_at),
        "eta_note": eta_note(case.state, case.eta),
        "steps": steps,
        "note": "" if steps else waiting_note(case),
        "stages": progress_view(detail.progress),
        "correction": correction,
        "correction_open": correction_open,
        "correction_resubmitted_on": resubmitted_on,
        "problems": problems,
        "promised": promised,
        "today": clock.today(),
        "supplements": detail.supplements,
        "materials": [(m, MATERIAL_STATES.get(m.state, m.state)) for m in detail.materials],
        "form_rows": case_form_rows(case.form, case.frozen_plan),
        "bill": detail.bill,
        "bill_status": BILL_STATUSES.get(detail.bill.status, "") if detail.bill else "",
        "issuance": detail.issuance,
        "notifications": [(n, NOTIFICATION_KINDS.get(n.kind, "")) for n in detail.notifications],
        "licences": detail.licences,
        "can_withdraw": can_withdraw(case.state),
        "can_rate": case_can_rate(case),
        "material_errors": material_errors or {},
        "max_upload_mb": settings.LIANBAN_MAX_UPLOAD_MB,
    }
    return render(request, "portal/cases/detail.html", context, status=status)


@applicant_page
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: progress, notices, requests, promises, the bill, results, notifications."""
    return _case_page(request, _case(request, case_id))


@applicant_page
def case_submitted(request: HttpRequest, case_id: int) -> HttpResponse:
    """After submitting: the tracking code, large and grouped, with its QR code; printable."""
    case = _case(request, case_id)
    code = case.code_for_people
    context = {
        "case": case,
        "code": code,
        "groups": code.split("-"),
        "spelled": " ".join(case.tracking_code),
        "thing_name": case.thing_name,
        "submitted_on": clock.local_date(case.submitted_at),
        "track_url": absolute_url(request, reverse("portal:track_code", args=[code])),
        "days": settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS,
    }
    return render(request, "portal/cases/submitted.html", context)


def _refused(request: HttpRequest, case: Case, exc: Exception, anchor: str = "") -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": False, "error": error_text(exc)}, status=400)
    messages.error(request, error_text(exc))
    return redirect(_case_url(case, anchor))


@applicant_page
def case_upload(request: HttpRequest, case_id: int, material: str) -> HttpResponse:
    """Replace a material listed in the correction notice, or hand in a promised one (容缺)."""
    user = signed_in_user(request)
    case = _case(request, case_id)
    if request.method != "POST":
        return redirect(_case_url(case, f"m-{material}"))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(_("Choose a file first."))
        stored = case_material_upload(actor=user, case_id=case.pk, material_code=material, file=upload)
    except (DomainError, PermissionDenied) as exc:
        if wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(exc)}, status=400)
        return _case_page(request, case, material_errors={material: error_text(exc)}, status=400)
    if wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "material": material,
                "name": stored.original_name,
                "size": size_text(stored.size),
                "url": reverse("portal:case_file", args=[case.pk, material]),
            }
        )
    messages.success(request, _("Uploaded: %(name)s.") % {"name": stored.original_name})
    return redirect(_case_url(case, f"m-{material}"))


@applicant_page
def case_resubmit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Resubmit after correcting: the window checks again."""
    user = signed_in_user(request)
    case = _case(request, case_id)
    if request.method != "POST":
        return redirect(_case_url(case))
    try:
        case_resubmit(actor=user, case_id=case.pk, idempotency_key=posted_key(request))
    except (DomainError, PermissionDenied) as exc:
        return _refused(request, case, exc, "correction")
    messages.success(request, _("Resubmitted. The window will check your materials again."))
    return redirect(_case_url(case))


@applicant_page
def case_withdraw_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Withdraw the application, with a reason (the page asks for confirmation first)."""
    user = signed_in_user(request)
    case = _case(request, case_id)
    if request.method != "POST":
        return redirect(_case_url(case, "withdraw"))
    reason = request.POST.get("reason", "").strip()[:1000]
    if not reason:
        messages.error(request, _("Please say why you withdraw the application."))
        return redirect(_case_url(case, "withdraw"))
    try:
        case_withdraw(actor=user, case_id=case.pk, reason=reason, idempotency_key=posted_key(request))
    except (DomainError, PermissionDenied) as exc:
        return _refused(request, case, exc, "withdraw")
    messages.success(request, _("The application was withdrawn."))
    return redirect(_case_url(case))


@applicant_page
def item_supply(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    """Supply what a department asked for (补正): a note, a file, or both."""
    user = signed_in_user(request)
    case = _case(request, case_id)
    anchor = f"item-{item_id}"
    if request.method != "POST":
        return redirect(_case_url(case, anchor))
    if not case_has_item_case(case, item_id):
        raise Http404
    note = request.POST.get("note", "").strip()[:2000]
    upload = request.FILES.get("file")
    try:
        item_case_supply(actor=user, item_case_id=item_id, note=note, file=upload, idempotency_key=posted_key(request))
    except (DomainError, PermissionDenied) as exc:
        return _refused(request, case, exc, anchor)
    messages.success(request, _("Sent to the department. Its clock runs again."))
    return redirect(_case_url(case, anchor))


@applicant_page
def case_file(request: HttpRequest, case_id: int, material: str) -> HttpResponseBase:
    """A file handed in for a material of the user's case."""
    case = _case(request, case_id)
    stored = case_material_file(case, material)
    if stored is None:
        raise Http404
    return stored_file(stored.file, filename=stored.original_name, content_type=stored.content_type)


@applicant_page
def supplement_file(request: HttpRequest, case_id: int, supplement_id: int) -> HttpResponseBase:
    """A file the applicant supplied for a department's request."""
    case = _case(request, case_id)
    stored = supplement_file_of(case.pk, supplement_id)
    if stored is None:
        raise Http404
    return stored_file(stored.file, filename=stored.original_name, content_type=stored.content_type)
