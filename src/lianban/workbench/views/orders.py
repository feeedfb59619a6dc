"""督办 orders in the workbench: the list (supervisor: all, raising new ones; reviewer: the department's) and
one order with the steps the user may take (sign for, reply; review)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lianban.accounts.models import Role
from lianban.cases.selectors import case_ids_by_tracking_code
from lianban.catalog.selectors import department_choices
from lianban.common.pages import list_page
from lianban.core.orders import OrderEvent, OrderState, allowed_events
from lianban.messaging.selectors import topic_message_rows
from lianban.supervision.models import OrderState as OrderStates
from lianban.supervision.models import SupervisionOrder
from lianban.supervision.orders import order_raise, order_reply, order_review, order_sign
from lianban.supervision.reminders import order_topic
from lianban.supervision.selectors import (
    ORDER_ORDER,
    department_has_leader,
    order_cases,
    order_for_user,
    order_list_for_user,
    order_row,
    order_rows,
)
from lianban.workbench.forms import OrderRaiseForm, OrderReplyForm, OrderReviewForm
from lianban.workbench.views.common import attempt, command_post, form_post, roles_required, see_other, staff_user


def _departments() -> list[tuple[str, str]]:
    return department_choices()


def _render_list(request: HttpRequest, form: OrderRaiseForm | None = None, status: int = 200) -> HttpResponse:
    user = staff_user(request)
    state = request.GET.get("state", "")
    state = state if state in OrderStates.values else ""
    context: dict[str, Any] = {
        "rows": list_page(request, order_list_for_user(user, state=state), ORDER_ORDER, row=order_rows),
        "state": state,
        "states": OrderStates.choices,
        "can_raise": user.role == Role.SUPERVISOR,
        "form": form or (OrderRaiseForm(departments=_departments()) if user.role == Role.SUPERVISOR else None),
    }
    return render(request, "workbench/orders/list.html", context, status=status)


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER)
def order_list(request: HttpRequest) -> HttpResponse:
    """The 督办 orders the user may see, newest first, by state."""
    return _render_list(request)


@require_POST
@roles_required(Role.SUPERVISOR)
def order_new(request: HttpRequest) -> HttpResponse:
    """A supervisor raises an order about cases named by their tracking codes."""
    user = staff_user(request)
    form = OrderRaiseForm(request.POST, departments=_departments())
    if not form.is_valid():
        return _render_list(request, form, status=400)
    codes = form.cleaned_data["codes"]
    found = case_ids_by_tracking_code(codes)
    unknown = [code for code in codes if code not in found]
    if unknown:
        form.add_error("codes", _("No case has the tracking code %(codes)s.") % {"codes": "、".join(unknown)})
        return _render_list(request, form, status=400)
    created: list[SupervisionOrder] = []
    attempt(
        request,
        lambda: created.append(
            order_raise(
                actor=user,
                case_ids=[found[c] for c in codes],
                department_code=form.cleaned_data["department"],
                reason=form.cleaned_data["reason"],
            )
        ),
        _("The supervision order is raised."),
    )
    return see_other(reverse("workbench:order", args=[created[0].pk]) if created else reverse("workbench:orders"))


def _render_order(request: HttpRequest, order_id: int, status: int = 200, **forms: Any) -> HttpResponse:
    user = staff_user(request)
    order = order_for_user(user, order_id)
    events = allowed_events(OrderState(order.state))
    department_member = user.role == Role.REVIEWER and user.department_id == order.department_id
    context = {
        "order": order,
        "row": order_row(order),
        "cases": order_cases(order),
        "messages_sent": topic_message_rows(order_topic(order.pk)),
        "can_sign": department_member and OrderEvent.SIGN in events,
        "can_reply": department_member and OrderEvent.REPLY in events,
        "can_review": user.role == Role.SUPERVISOR and OrderEvent.ACCEPT in events,
        "leader_missing": user.role == Role.SUPERVISOR
        and order.state in (OrderStates.OPEN, OrderStates.SIGNED)
        and not department_has_leader(order.department_id),
        "reply_form": forms.get("reply_form") or OrderReplyForm(),
        "review_form": forms.get("review_form") or OrderReviewForm(),
    }
    return render(request, "workbench/orders/order.html", context, status=status)


@require_GET
@roles_required(Role.SUPERVISOR, Role.REVIEWER)
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    """One order: its cases, its steps so far, and what the user may do next."""
    return _render_order(request, order_id)


def _order_url(order_id: int) -> str:
    return reverse("workbench:order", args=[order_id])


@require_POST
@roles_required(Role.REVIEWER)
def sign(request: HttpRequest, order_id: int) -> HttpResponse:
    """The responsible department signs for the order (签收)."""
    user = staff_user(request)
    return command_post(
        request,
        lambda _key: order_sign(actor=user, order_id=order_id),
        _("Signed for; the reply date is set."),
        then=_order_url(order_id),
    )


@require_POST
@roles_required(Role.REVIEWER)
def reply(request: HttpRequest, order_id: int) -> HttpResponse:
    """The responsible department replies (回复)."""
    user = staff_user(request)
    return form_post(
        request,
        OrderReplyForm(request.POST),
        invalid=lambda form: _render_order(request, order_id, status=400, reply_form=form),
        run=lambda form, _key: order_reply(actor=user, order_id=order_id, reply=form.cleaned_data["reply"]),
        success=_("The reply is sent to the supervisor."),
        then=_order_url(order_id),
    )


@require_POST
@roles_required(Role.SUPERVISOR)
def review(request: HttpRequest, order_id: int) -> HttpResponse:
    """The supervisor accepts the reply (the order is closed) or returns it with a note."""
    user = staff_user(request)
    form = OrderReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid() and not accept and not form.cleaned_data["note"].strip():
        form.add_error("note", _("Say why the reply is returned."))
    return form_post(
        request,
        form,
        invalid=lambda form: _render_order(request, order_id, status=400, review_form=form),
        run=lambda form, _key: order_review(
            actor=user, order_id=order_id, accept=accept, note=form.cleaned_data["note"]
        ),
        success=_("The order is closed.") if accept else _("The reply is returned to the department."),
        then=_order_url(order_id),
    )
