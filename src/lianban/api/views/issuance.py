"""Issuance API: the case's one bill (一单收费), paying it at the window, handing out every result (统一出件)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.api.common import actor, errors, validated
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.serializers import IssuanceSerializer
from lianban.issuance.access import access_bill_for_user
from lianban.issuance.models import BillStatus, DeliveryMethod
from lianban.issuance.services import bill_mark_paid, case_issue


class BillLineSerializer(serializers.Serializer[Any]):
    item = serializers.CharField(source="item_code")
    name = serializers.CharField(source="item_name")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PaymentSerializer(serializers.Serializer[Any]):
    provider = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    recorded_at = serializers.DateTimeField()


class BillSerializer(serializers.Serializer[Any]):
    total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="yuan")
    status = serializers.ChoiceField(choices=BillStatus.choices)
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)
    lines = BillLineSerializer(many=True, help_text="one per approved item, fee from the frozen plan")
    payments = PaymentSerializer(many=True)


class BillApi(APIView):
    """The case's bill, once it is ready (the applicant, its window, supervisors)."""

    @extend_schema(
        operation_id="bills_retrieve", responses={200: BillSerializer, **errors(403, 404)}, tags=["issuance"]
    )
    def get(self, request: Request, case_id: int) -> Response:
        return Response(BillSerializer(access_bill_for_user(actor(request), case_id)).data)


class PayInputSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=100, help_text="the window's payment receipt reference")


class BillPayApi(APIView):
    """Mark the bill paid at the window."""

    @extend_schema(
        operation_id="bills_pay",
        request=PayInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: BillSerializer, **errors(400, 403, 404, 409)},
        tags=["issuance"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(PayInputSerializer, request.data)
        return command(
            request,
            run=lambda key: bill_mark_paid(
                actor=user, case_id=case_id, reference=data["reference"], idempotency_key=key
            ),
            render=lambda bill: BillSerializer(access_bill_for_user(user, bill.case_id)).data,
        )


class IssueInputSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60, help_text="required for MAIL"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["method"] == DeliveryMethod.MAIL and not attrs["tracking_number"].strip():
            raise serializers.ValidationError({"tracking_number": [_("a mail tracking number is required")]})
        return attrs


class CaseIssueApi(APIView):
    """Hand out every result of a ready case together, once its bill is settled."""

    @extend_schema(
        operation_id="cases_issue",
        description="Only a READY case (409 `transition-not-allowed`) whose bill is settled (409 `bill-unsettled`).",
        request=IssueInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: IssuanceSerializer, **errors(400, 403, 404, 409)},
        tags=["issuance"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(IssueInputSerializer, request.data)
        return command(
            request,
            run=lambda key: case_issue(
                actor=user,
                case_id=case_id,
                method=data["method"],
                tracking_number=data["tracking_number"],
                idempotency_key=key,
            ),
            render=lambda issuance: IssuanceSerializer(issuance).data,
        )
