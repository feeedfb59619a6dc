"""The window workbench (综合窗口): the queue, the intake page, decisions, documents, issuance."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lianban.accounts.models import Role
from lianban.cases import clock, words
from lianban.cases.access import access_case_for_user, sees_personal_data
from lianban.cases.models import Case
from lianban.cases.selectors import INTAKE_ORDER
from lianban.common.pages import list_page
from lianban.core.errors import DomainError
from lianban.intake.models import Decision, IntakeRound
from lianban.intake.selectors import acceptance_receipt, intake_round_list
from lianban.intake.services import (
    intake_accept,
    intake_check,
    intake_identity_confirm,
    intake_identity_refuse,
    intake_refuse,
    intake_request_correction,
)
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.messaging.selectors import case_message_rows
from lianban.workbench.documents import UnprintableCharacters, correction_notice_pdf, receipt_pdf
from lianban.workbench.forms import AcceptForm, ChecksForm, IssueForm, PayForm, QueueSearchForm, ReasonForm
from lianban.workbench.selectors.window import (
    CORRECTION_ORDER,
    IN_PROGRESS_ORDER,
    ISSUANCE_ORDER,
    case_page,
    correction_list,
    correction_rows,
    in_progress_list,
    in_progress_rows,
    intake_list,
    intake_rows,
    issuance_list,
    issuance_rows,
    recently_issued,
)
from lianban.workbench.views.common import (
    command_post,
    error_message,
    form_post,
    rating_url,
    roles_required,
    see_other,
    staff_user,
    tracking_url,
)

logger = logging.getLogger("lianban.documents")


def _search_form(request: HttpRequest) -> QueueSearchForm:
    fields = ("code", "applicant", "submitted_from", "submitted_to")
    return QueueSearchForm(request.GET if any(request.GET.get(name) for name in fields) else None)


@require_GET
@roles_required(Role.CLERK)
def queue(request: HttpRequest) -> HttpResponse:
    """The window's open cases: to decide (the longest waiting first), waiting for corrections, in progress.

    Each list pages on its own (``?intake=``, ``?correction=``, ``?progress=`` cursors); the search
    narrows all three.
    """
    user = staff_user(request)
    form = _search_form(request)
    search = form.search()
    context = {
        "form": form,
        "intake": list_page(
            request, intake_list(user, search), INTAKE_ORDER, param="intake", anchor="intake-title", row=intake_rows
        ),
        "correction": list_page(
            request,
            correction_list(user, search),
            CORRECTION_ORDER,
            param="correction",
            anchor="correction-title",
            row=correction_rows,
        ),
        "in_progress": list_page(
            request,
            in_progress_list(user, search),
            IN_PROGRESS_ORDER,
            param="progress",
            anchor="progress-title",
            row=in_progress_rows,
        ),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "workbench/window/queue.html", context, status=status)


@require_GET
@roles_required(Role.CLERK)
def issuance(request: HttpRequest) -> HttpResponse:
    """Ready cases to hand out (统一出件), oldest first, with their bills; the latest issued."""
    user = staff_user(request)
    form = _search_form(request)
    context = {
        "form": form,
        "rows": list_page(request, issuance_list(user, form.search()), ISSUANCE_ORDER, row=issuance_rows),
        "issued": recently_issued(user),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "workbench/window/issuance.html", context, status=status)


def _case_url(case_id: int, anchor: str = "") -> str:
    return reverse("workbench:case", args=[case_id]) + (f"#{anchor}" if anchor else "")


def _render_case(request: HttpRequest, case: Case, status: int = 200, **forms: Any) -> HttpResponse:
    """The case page, with any bound forms that failed validation."""
    page = case_page(staff_user(request), case)
    today = clock.today()
    context: dict[str, Any] = {
        "page": page,
        "case": case,
        "state_text": words.word(words.CASE_STATES, case.state),
        "checks_form": forms.get("checks_form") or ChecksForm(checks=page.checks),
        "accept_form": forms.get("accept_form") or AcceptForm(promisable=page.promisable, today=today),
        "refuse_form": forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        "identity_form": forms.get("identity_form") or ReasonForm(prefix="identity"),
        "pay_form": forms.get("pay_form") or PayForm(),
        "issue_form": forms.get("issue_form") or IssueForm(),
        "words": words,
        "personal_full": sees_personal_data(staff_user(request), case),
        "messages_sent": case_message_rows(case.pk),
    }
    return render(request, "workbench/window/case.html", context, status=status)


@require_GET
@roles_required(Role.CLERK, Role.SUPERVISOR)
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The intake page of a case: applicant, thing, answers, form, materials, decisions, bill, trail."""
    return _render_case(request, access_case_for_user(staff_user(request), case_id))


@require_POST
@roles_required()
def checks(request: HttpRequest, case_id: int) -> HttpResponse:
    """Save the clerk's verdicts on the materials (only those that changed)."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    page = case_page(user, visible)
    form = ChecksForm(request.POST, checks=page.checks)
    if not form.is_valid():
        messages.error(request, _("Some checks need a correction; see below."))
        return _render_case(request, visible, status=400, checks_form=form)
    saved = 0
    for code, result, reason, paper in form.verdicts():
        try:
            intake_check(actor=user, case_id=visible.pk, material_code=code, result=result, reason=reason, paper=paper)
        except DomainError as exc:
            messages.error(request, error_message(exc, case=visible))
            return see_other(_case_url(visible.pk, "checks"))
        saved += 1
    if saved:
        messages.success(request, _("%(count)d check(s) saved.") % {"count": saved})
    else:
        messages.info(request, _("Nothing changed."))
    return see_other(_case_url(visible.pk, "decide" if saved else "checks"))


@require_POST
@roles_required()
def accept(request: HttpRequest, case_id: int) -> HttpResponse:
    """Accept the case (with 容缺 promises); the first items start at once."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    page = case_page(user, visible)

    def invalid(form: AcceptForm) -> HttpResponse:
        messages.error(request, _("The promises need a correction; see below."))
        return _render_case(request, visible, status=400, accept_form=form)

    return form_post(
        request,
        AcceptForm(request.POST, promisable=page.promisable, today=clock.today()),
        invalid=invalid,
        run=lambda form, key: intake_accept(
            actor=user, case_id=visible.pk, promises=form.promises(), idempotency_key=key
        ),
        success=_(
            "The case is accepted; the departments have been sent their items. Print the receipt for the applicant."
        ),
        then=_case_url(visible.pk),
        case=visible,
    )


@require_POST
@roles_required()
def correction(request: HttpRequest, case_id: int) -> HttpResponse:
    """Send the one-time correction notice listing every material checked missing or wrong."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return command_post(
        request,
        lambda key: intake_request_correction(actor=user, case_id=visible.pk, idempotency_key=key),
        _("The correction notice was sent to the applicant. Print it if they are at the window."),
        then=_case_url(visible.pk),
        case=visible,
    )


@require_POST
@roles_required()
def refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refuse the application (不予受理) with the reason."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return form_post(
        request,
        ReasonForm(request.POST, prefix="refuse"),
        invalid=lambda form: _render_case(request, visible, status=400, refuse_form=form),
        run=lambda form, key: intake_refuse(
            actor=user, case_id=visible.pk, reason=form.cleaned_data["reason"], idempotency_key=key
        ),
        success=_("The application was not accepted; the applicant has been told why."),
        then=_case_url(visible.pk),
        case=visible,
    )


@require_POST
@roles_required()
def identity_confirm(request: HttpRequest, case_id: int) -> HttpResponse:
    """The papers prove the claimed identity (身份核验): the case moves to the registered applicant."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return command_post(
        request,
        lambda key: intake_identity_confirm(actor=user, case_id=visible.pk, idempotency_key=key),
        _("The identity is confirmed; the applicant's cases and drafts now belong to the registered applicant."),
        then=_case_url(visible.pk),
        case=visible,
    )


@require_POST
@roles_required()
def identity_refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    """The papers do not prove the claimed identity: the case goes back with a one-time notice."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return form_post(
        request,
        ReasonForm(request.POST, prefix="identity"),
        invalid=lambda form: _render_case(request, visible, status=400, identity_form=form),
        run=lambda form, key: intake_identity_refuse(
            actor=user, case_id=visible.pk, reason=form.cleaned_data["reason"], idempotency_key=key
        ),
        success=_(
            "The identity was not confirmed; the notice was sent to the applicant. Print it if they are at the window."
        ),
        then=_case_url(visible.pk),
        case=visible,
    )


@require_POST
@roles_required()
def pay(request: HttpRequest, case_id: int) -> HttpResponse:
    """Mark the bill paid at the window with the receipt reference."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return form_post(
        request,
        PayForm(request.POST),
        invalid=lambda form: _render_case(request, visible, status=400, pay_form=form),
        run=lambda form, key: bill_mark_paid(
            actor=user, case_id=visible.pk, reference=form.cleaned_data["reference"], idempotency_key=key
        ),
        success=_("The bill is marked paid."),
        then=_case_url(visible.pk, "bill"),
        case=visible,
    )


@require_POST
@roles_required()
def issue(request: HttpRequest, case_id: int) -> HttpResponse:
    """Hand out every result together (pickup, or mail with a tracking number)."""
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    return form_post(
        request,
        IssueForm(request.POST),
        invalid=lambda form: _render_case(request, visible, status=400, issue_form=form),
        run=lambda form, key: case_issue(
            actor=user,
            case_id=visible.pk,
            method=form.cleaned_data["method"],
            tracking_number=form.cleaned_data["tracking_number"],
            idempotency_key=key,
        ),
        success=_("The results are issued; the case is closed."),
        then=_case_url(visible.pk, "bill"),
        case=visible,
    )


def _document_case(request: HttpRequest, case_id: int) -> Case:
    user = staff_user(request)
    visible = access_case_for_user(user, case_id)
    if user.role not in (Role.APPLICANT, Role.CLERK, Role.SUPERVISOR):
        raise PermissionDenied(_("Intake documents are for the applicant and the window."))
    return visible


def _unprintable(exc: UnprintableCharacters) -> HttpResponse:
    """503 naming the characters no font has (logged as an error: the server lacks a font)."""
    logger.error("PDF not printed: %s", exc)
    return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@roles_required()
def receipt(request: HttpRequest, case_id: int) -> HttpResponse:
    """The acceptance receipt (受理回执) as PDF."""
    visible = _document_case(request, case_id)
    round_ = acceptance_receipt(visible)
    if round_ is None:
        raise Http404(_("The case has not been accepted."))
    try:
        content = receipt_pdf(visible, round_, tracking_url(request, visible), rating_url(request, visible))
    except UnprintableCharacters as exc:
        return _unprintable(exc)
    return _pdf(content, f"receipt-{visible.tracking_code}.pdf")


@require_GET
@roles_required()
def notice(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    """A correction notice (一次性告知书) as PDF."""
    visible = _document_case(request, case_id)
    round_: IntakeRound | None = intake_round_list(visible).filter(number=number, decision=Decision.CORRECT).first()
    if round_ is None:
        raise Http404(_("There is no such correction notice."))
    try:
        content = correction_notice_pdf(visible, round_, tracking_url(request, visible))
    except UnprintableCharacters as exc:
        return _unprintable(exc)
    return _pdf(content, f"notice-{visible.tracking_code}-{number}.pdf")
