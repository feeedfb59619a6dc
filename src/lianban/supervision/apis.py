"""Supervision API (督办): running item cases due soon and overdue, for supervisors; the deadline signals.

The lists show what the last deadline sweep found.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from lianban.accounts.models import Role
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.fields import code_field
from lianban.cases.api_serializers import CaseRefSerializer
from lianban.review.apis import QueueItemSerializer
from lianban.supervision.models import SignalLevel, SignalSubject
from lianban.supervision.selectors import item_case_due_soon_list, item_case_overdue_list, signal_list_for_user


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


class SignalFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=SignalLevel.choices, required=False, default="")
    department = code_field(required=False, default="", help_text="department code")


class SignalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=SignalLevel.choices, help_text="NOTICE 提示, YELLOW 黄牌, RED 红牌")
    level_label = serializers.CharField(source="get_level_display")
    subject = serializers.ChoiceField(
        choices=SignalSubject.choices,
        help_text="what is due: an item case, the case, the intake decision, a 容缺 promise",
    )
    subject_label = serializers.CharField(source="get_subject_display")
    case = CaseRefSerializer()
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
