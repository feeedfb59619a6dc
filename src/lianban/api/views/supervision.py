"""Supervision API (督办): running item cases due soon and overdue, for supervisors; the deadline signals; orders.

The lists show what the last deadline sweep found.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.fields import code_field
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.serializers import CaseRefSerializer
from lianban.api.views.review import QueueItemSerializer
from lianban.supervision.models import OrderOrigin, OrderState, SignalLevel, SignalSubject, SupervisionOrder
from lianban.supervision.orders import TEXT_MAX, order_raise, order_reply, order_review, order_sign
from lianban.supervision.selectors import (
    item_case_due_soon_list,
    item_case_overdue_list,
    order_cases,
    order_for_user,
    order_list_for_user,
    signal_list_for_user,
)


class DueSoonApi(ListApi):
    """Running item cases due soon, earliest due first."""

    ordering = ("due_on", "id")

    @extend_schema(
        operation_id="supervision_due_soon",
        responses={200: QueueItemSerializer(many=True), **errors(403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        require_role(actor(request), Role.SUPERVISOR)
        return self.page(request, item_case_due_soon_list().select_related("case__thing"), QueueItemSerializer)


class OverdueApi(ListApi):
    """Running item cases past their due date, earliest due first."""

    ordering = ("due_on", "id")

    @extend_schema(
        operation_id="supervision_overdue",
        responses={200: QueueItemSerializer(many=True), **errors(403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        require_role(actor(request), Role.SUPERVISOR)
        return self.page(request, item_case_overdue_list().select_related("case__thing"), QueueItemSerializer)


class SignalFilterSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=SignalLevel.choices, required=False, default="")
    department = code_field(required=False, default="", help_text="department code")


class SignalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=SignalLevel.choices, help_text="NOTICE 提示, YELLOW 黄牌, RED 红牌")
    level_label = serializers.CharField(source="get_level_display")
    subject = serializers.ChoiceField(
        choices=SignalSubject.choices,
        help_text="what is due: an item case, the case, the intake decision, a 容缺 promise",
    )
    subject_label = serializers.CharField(source="get_subject_display")
    case = CaseRefSerializer(allow_null=True, help_text="null for a step about no case (an anonymous rating's ticket)")
    item_code = serializers.CharField(source="item_case.item_code", default="", help_text="for an item case")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    responsible = serializers.CharField(
        source="responsible.username", default="", help_text="the staff member responsible, if any"
    )
    due_on = serializers.DateField(help_text="the due date the signal refers to")
    raised_at = serializers.DateTimeField()


class SignalListApi(ListApi):
    """Deadline signals the user may see, newest first (supervisor: all; reviewer: the department's; clerk: the window's)."""

    ordering = ("-raised_at", "-id")

    @extend_schema(
        operation_id="supervision_signals",
        parameters=[SignalFilterSerializer],
        responses={200: SignalSerializer(many=True), **errors(400, 403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.SUPERVISOR, Role.REVIEWER, Role.CLERK)
        filters = validated(SignalFilterSerializer, request.query_params)
        return self.page(request, signal_list_for_user(user, **filters), SignalSerializer)


# ------------------------------------------------------------------ 督办 orders


class OrderFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=OrderState.choices, required=False, default="")
    department = code_field(required=False, default="", help_text="department code")


class OrderRaiseSerializer(serializers.Serializer[Any]):
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=100
    )
    department = code_field(help_text="the responsible department's code")
    reason = serializers.CharField(max_length=TEXT_MAX)


class OrderReplySerializer(serializers.Serializer[Any]):
    reply = serializers.CharField(max_length=TEXT_MAX)


class OrderReviewSerializer(serializers.Serializer[Any]):
    accept = serializers.BooleanField(help_text="true: accept the reply and close the order; false: return it")
    note = serializers.CharField(max_length=TEXT_MAX, required=False, default="", allow_blank=True)


class OrderSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=OrderState.choices)
    state_label = serializers.CharField(source="get_state_display")
    origin = serializers.ChoiceField(choices=OrderOrigin.choices)
    origin_label = serializers.CharField(source="get_origin_display")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    item_code = serializers.CharField(source="item_case.item_code", default="", help_text="for a red card's order")
    reason = serializers.CharField()
    raised_at = serializers.DateTimeField()
    sign_due_on = serializers.DateField()
    signed_at = serializers.DateTimeField(allow_null=True)
    reply_due_on = serializers.DateField(allow_null=True)
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    returns = serializers.IntegerField(help_text="how many replies were returned")
    closed_at = serializers.DateTimeField(allow_null=True)
    urged_at = serializers.DateTimeField(allow_null=True, help_text="last reminder (催办)")
    escalated_at = serializers.DateTimeField(allow_null=True, help_text="escalated to the department's leader")


class OrderDetailSerializer(OrderSerializer):
    cases = CaseRefSerializer(many=True, source="case_rows")


def _order_document(order: SupervisionOrder) -> dict[str, object]:
    """The order as the detail answers it; after a command, the order the service locked and changed (not re-read)."""
    order.case_rows = order_cases(order)  # type: ignore[attr-defined]
    return OrderDetailSerializer(order).data


class OrderListApi(ListApi):
    """督办 orders the user may see, newest first (supervisor: all; reviewer: the department's); supervisors raise them."""

    ordering = ("-raised_at", "-id")

    @extend_schema(
        operation_id="supervision_orders",
        parameters=[OrderFilterSerializer],
        responses={200: OrderSerializer(many=True), **errors(400, 403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.SUPERVISOR, Role.REVIEWER)
        filters = validated(OrderFilterSerializer, request.query_params)
        return self.page(request, order_list_for_user(user, **filters), OrderSerializer)

    @extend_schema(
        operation_id="supervision_order_raise",
        request=OrderRaiseSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: OrderDetailSerializer, **errors(400, 403, 409)},
        tags=["supervision"],
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.SUPERVISOR)
        data = validated(OrderRaiseSerializer, request.data)
        order = order_raise(
            actor=user, case_ids=data["cases"], department_code=data["department"], reason=data["reason"]
        )
        return Response(_order_document(order), status=201)


class OrderDetailApi(APIView):
    """One 督办 order with its cases."""

    @extend_schema(
        operation_id="supervision_order",
        responses={200: OrderDetailSerializer, **errors(403, 404)},
        tags=["supervision"],
    )
    def get(self, request: Request, order_id: int) -> Response:
        user = actor(request)
        return Response(_order_document(order_for_user(user, order_id)))


class OrderSignApi(APIView):
    """The responsible department signs for the order (签收); the reply date is set."""

    @extend_schema(
        operation_id="supervision_order_sign",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: OrderDetailSerializer, **errors(403, 404, 409)},
        tags=["supervision"],
    )
    def post(self, request: Request, order_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: order_sign(actor=user, order_id=order_id, idempotency_key=key),
            render=_order_document,
        )


class OrderReplyApi(APIView):
    """The responsible department replies with what it did (回复)."""

    @extend_schema(
        operation_id="supervision_order_reply",
        parameters=[IDEMPOTENCY_KEY],
        request=OrderReplySerializer,
        responses={200: OrderDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["supervision"],
    )
    def post(self, request: Request, order_id: int) -> Response:
        user = actor(request)
        data = validated(OrderReplySerializer, request.data)
        return command(
            request,
            run=lambda key: order_reply(actor=user, order_id=order_id, reply=data["reply"], idempotency_key=key),
            render=_order_document,
        )


class OrderReviewApi(APIView):
    """The supervisor accepts the reply (closed) or returns it with a note (审核)."""

    @extend_schema(
        operation_id="supervision_order_review",
        parameters=[IDEMPOTENCY_KEY],
        request=OrderReviewSerializer,
        responses={200: OrderDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["supervision"],
    )
    def post(self, request: Request, order_id: int) -> Response:
        user = actor(request)
        data = validated(OrderReviewSerializer, request.data)
        return command(
            request,
            run=lambda key: order_review(
                actor=user, order_id=order_id, accept=data["accept"], note=data["note"], idempotency_key=key
            ),
            render=_order_document,
        )
