"""Review API: a department's queue and its item cases — accept (部门受理), supplement (补正), approve, reject.

Reviewers see and decide the item cases of their own department only; the
applicant supplies what a supplement request asks for.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role, User
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.parsers import BoundedJSONParser
from lianban.api.serializers import CaseMaterialSerializer, CaseRefSerializer, ItemCaseSummarySerializer
from lianban.api.views.cases import ReasonSerializer
from lianban.cases.models import ItemCase
from lianban.cases.selectors import case_materials_for_item_case
from lianban.review.access import access_item_case_for_user
from lianban.review.models import SupplementRequest
from lianban.review.selectors import QUEUE_ORDER, item_case_queue_for_department, supplement_list
from lianban.review.services import (
    item_case_approve,
    item_case_reject,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)


class QueueItemSerializer(ItemCaseSummarySerializer):
    case = CaseRefSerializer()


class SupplementSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reason = serializers.CharField(help_text="what is needed")
    requested_at = serializers.DateTimeField()
    paused_since = serializers.DateField()
    supplied_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    original_name = serializers.CharField(help_text="name of the supplied file, if any")
    paused_days = serializers.IntegerField(help_text="working days the clock stood still")


class ItemCaseDetailSerializer(QueueItemSerializer):
    legal_days = serializers.IntegerField()
    promised_days = serializers.IntegerField()
    taken_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    materials = serializers.SerializerMethodField(help_text="every material this item needs, with where it came from")
    supplements = serializers.SerializerMethodField()

    @extend_schema_field(CaseMaterialSerializer(many=True))
    def get_materials(self, item: ItemCase) -> Any:
        return CaseMaterialSerializer(case_materials_for_item_case(item), many=True).data

    @extend_schema_field(SupplementSerializer(many=True))
    def get_supplements(self, item: ItemCase) -> Any:
        return SupplementSerializer(supplement_list(item), many=True).data


def item_document(user: User, item_case_id: int) -> dict[str, Any]:
    """The item case as ``user`` may see it, read afresh."""
    return dict(ItemCaseDetailSerializer(access_item_case_for_user(user, item_case_id)).data)


class ItemCaseListApi(ListApi):
    """The reviewer's department queue: dispatched, in review or waiting for a supplement, the earliest due first."""

    ordering = QUEUE_ORDER

    @extend_schema(
        operation_id="item_cases_list",
        responses={200: QueueItemSerializer(many=True), **errors(403)},
        tags=["review"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.REVIEWER)
        return self.page(
            request, item_case_queue_for_department(user).select_related("case__thing"), QueueItemSerializer
        )


class ItemCaseDetailApi(APIView):
    """One item case with the materials it needs and its supplement requests."""

    @extend_schema(
        operation_id="item_cases_retrieve",
        responses={200: ItemCaseDetailSerializer, **errors(403, 404)},
        tags=["review"],
    )
    def get(self, request: Request, item_case_id: int) -> Response:
        return Response(item_document(actor(request), item_case_id))


class ItemCaseAcceptApi(APIView):
    """The department accepts the dispatched item into review (部门受理)."""

    @extend_schema(
        operation_id="item_cases_accept",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ItemCaseDetailSerializer, **errors(403, 404, 409)},
        tags=["review"],
    )
    def post(self, request: Request, item_case_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: item_case_take(actor=user, item_case_id=item_case_id, idempotency_key=key),
            render=lambda item: item_document(user, item.pk),
        )


class ItemCaseRequestSupplementApi(APIView):
    """Ask the applicant for a supplement (补正): the item's clock stops until it is supplied."""

    @extend_schema(
        operation_id="item_cases_request_supplement",
        request=ReasonSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ItemCaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["review"],
    )
    def post(self, request: Request, item_case_id: int) -> Response:
        user = actor(request)
        data = validated(ReasonSerializer, request.data)

        def run(key: str | None) -> SupplementRequest:
            return item_case_request_supplement(
                actor=user, item_case_id=item_case_id, reason=data["reason"], idempotency_key=key
            )

        return command(request, run=run, render=lambda supplement: item_document(user, supplement.item_case_id))


class SupplyInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    file = serializers.FileField(
        required=False, allow_null=True, default=None, max_length=255, help_text="PDF, JPEG, PNG or OFD"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["note"].strip() and attrs["file"] is None:
            raise serializers.ValidationError(_("add a note or a file"))
        return attrs


class ItemCaseSupplyApi(APIView):
    """The applicant supplies what was asked: the clock runs again, the due date moves by the paused days."""

    parser_classes = (MultiPartParser, FormParser, BoundedJSONParser)

    @extend_schema(
        operation_id="item_cases_supply",
        request={"multipart/form-data": SupplyInputSerializer, "application/json": SupplyInputSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ItemCaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["review"],
    )
    def post(self, request: Request, item_case_id: int) -> Response:
        user = actor(request)
        data = validated(SupplyInputSerializer, request.data)
        return command(
            request,
            run=lambda key: item_case_supply(
                actor=user, item_case_id=item_case_id, note=data["note"], file=data["file"], idempotency_key=key
            ),
            render=lambda item: item_document(user, item.pk),
        )


class ApproveInputSerializer(serializers.Serializer[Any]):
    licence_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="required when the item produces"
    )
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    document = serializers.FileField(
        required=False, allow_null=True, default=None, max_length=255, help_text="the result document"
    )


class ItemCaseApproveApi(APIView):
    """Approve with the result: produced licences land in the library and flow to later items, which start."""

    parser_classes = (MultiPartParser, FormParser, BoundedJSONParser)

    @extend_schema(
        operation_id="item_cases_approve",
        description="A 容缺-held item answers 409 `item-held` until the promised material is supplied.",
        request={"multipart/form-data": ApproveInputSerializer, "application/json": ApproveInputSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ItemCaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["review"],
    )
    def post(self, request: Request, item_case_id: int) -> Response:
        user = actor(request)
        data = validated(ApproveInputSerializer, request.data)
        return command(
            request,
            run=lambda key: item_case_approve(
                actor=user,
                item_case_id=item_case_id,
                licence_number=data["licence_number"],
                valid_until=data["valid_until"],
                document=data["document"],
                idempotency_key=key,
            ),
            render=lambda item: item_document(user, item.pk),
        )


class ItemCaseRejectApi(APIView):
    """Reject with the reason: the items depending on it are cancelled, independent items go on."""

    @extend_schema(
        operation_id="item_cases_reject",
        request=ReasonSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ItemCaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["review"],
    )
    def post(self, request: Request, item_case_id: int) -> Response:
        user = actor(request)
        data = validated(ReasonSerializer, request.data)
        return command(
            request,
            run=lambda key: item_case_reject(
                actor=user, item_case_id=item_case_id, reason=data["reason"], idempotency_key=key
            ),
            render=lambda item: item_document(user, item.pk),
        )
