"""The department workbench (部门审批): the queue by due date and the item case page with its decisions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lianban.accounts.models import Role
from lianban.cases import clock, words
from lianban.cases.models import ItemCase
from lianban.common.pages import list_page
from lianban.messaging.selectors import case_message_rows
from lianban.review.access import access_item_case_for_user
from lianban.review.selectors import QUEUE_ORDER
from lianban.review.services import (
    item_case_approve,
    item_case_reject,
    item_case_request_supplement,
    item_case_take,
)
from lianban.workbench.forms import ApproveForm, QueueSearchForm, ReasonForm
from lianban.workbench.selectors.department import department_list, department_rows, item_page
from lianban.workbench.views.common import command_post, form_post, roles_required, staff_user


@require_GET
@roles_required(Role.REVIEWER)
def queue(request: HttpRequest) -> HttpResponse:
    """My department's open item cases, the most urgent first."""
    user = staff_user(request)
    fields = ("code", "applicant", "submitted_from", "submitted_to")
    form = QueueSearchForm(request.GET if any(request.GET.get(name) for name in fields) else None)
    rows = list_page(request, department_list(user, form.search()), QUEUE_ORDER, row=department_rows)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "workbench/department/queue.html", {"rows": rows, "user": user, "form": form}, status=status)


def _item_url(item_id: int) -> str:
    return reverse("workbench:item", args=[item_id])


def _render_item(request: HttpRequest, item: ItemCase, status: int = 200, **forms: Any) -> HttpResponse:
    today = clock.today()
    context = {
        "page": item_page(item, personal=staff_user(request).role == Role.REVIEWER),  # the fields their item needs
        "item": item,
        "case": item.case,
        "state_text": words.word(words.ITEM_STATES, item.state),
        "can_act": staff_user(request).role == Role.REVIEWER,
        "supplement_form": forms.get("supplement_form") or ReasonForm(prefix="supplement"),
        "approve_form": forms.get("approve_form") or ApproveForm(needs_number=bool(item.produces), today=today),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "messages_sent": case_message_rows(item.case_id),
    }
    return render(request, "workbench/department/item.html", context, status=status)


@require_GET
@roles_required(Role.REVIEWER, Role.SUPERVISOR)
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item case: the materials it needs and where each came from, its form fields, history, decisions."""
    return _render_item(request, access_item_case_for_user(staff_user(request), item_id))


@require_POST
@roles_required()
def take(request: HttpRequest, item_id: int) -> HttpResponse:
    """The department takes the item into review (部门受理)."""
    user = staff_user(request)
    visible = access_item_case_for_user(user, item_id)
    return command_post(
        request,
        lambda key: item_case_take(actor=user, item_case_id=visible.pk, idempotency_key=key),
        _("The item is taken into review; its clock is running."),
        then=_item_url(visible.pk),
        case=visible.case,
    )


@require_POST
@roles_required()
def supplement(request: HttpRequest, item_id: int) -> HttpResponse:
    """Ask the applicant for a supplement (补正): the item's clock stops."""
    user = staff_user(request)
    visible = access_item_case_for_user(user, item_id)
    return form_post(
        request,
        ReasonForm(request.POST, prefix="supplement"),
        invalid=lambda form: _render_item(request, visible, status=400, supplement_form=form),
        run=lambda form, key: item_case_request_supplement(
            actor=user, item_case_id=visible.pk, reason=form.cleaned_data["reason"], idempotency_key=key
        ),
        success=_("The applicant was asked for a supplement; the item's clock is stopped until it arrives."),
        then=_item_url(visible.pk),
        case=visible.case,
    )


@require_POST
@roles_required()
def approve(request: HttpRequest, item_id: int) -> HttpResponse:
    """Approve the item with its result (licence number, validity, document)."""
    user = staff_user(request)
    visible = access_item_case_for_user(user, item_id)
    return form_post(
        request,
        ApproveForm(request.POST, request.FILES, needs_number=bool(visible.produces), today=clock.today()),
        invalid=lambda form: _render_item(request, visible, status=400, approve_form=form),
        run=lambda form, key: item_case_approve(
            actor=user,
            item_case_id=visible.pk,
            licence_number=form.cleaned_data["licence_number"],
            valid_until=form.cleaned_data["valid_until"],
            document=form.cleaned_data["document"],
            idempotency_key=key,
        ),
        success=_(
            "The item is approved; its result is in the licence library and the items after it start by themselves."
        ),
        then=_item_url(visible.pk),
        case=visible.case,
    )


@require_POST
@roles_required()
def reject(request: HttpRequest, item_id: int) -> HttpResponse:
    """Reject the item with the reason; the items that depend on it are cancelled."""
    user = staff_user(request)
    visible = access_item_case_for_user(user, item_id)
    return form_post(
        request,
        ReasonForm(request.POST, prefix="reject"),
        invalid=lambda form: _render_item(request, visible, status=400, reject_form=form),
        run=lambda form, key: item_case_reject(
            actor=user, item_case_id=visible.pk, reason=form.cleaned_data["reason"], idempotency_key=key
        ),
        success=_("The item is rejected; the applicant has been told why."),
        then=_item_url(visible.pk),
        case=visible.case,
    )
