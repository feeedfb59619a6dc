"""Licence library API (电子证照库): the licences a user may see, one licence."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.api.common import DepartmentRefSerializer, ListApi, actor, errors, validated
from lianban.api.fields import id_field
from lianban.api.serializers import ApplicantRefSerializer
from lianban.licences.access import access_licence_for_user
from lianban.licences.models import Licence
from lianban.licences.selectors import licence_list_for_user


class MaterialRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ProducedBySerializer(serializers.Serializer[Any]):
    case = serializers.CharField(help_text="tracking code")
    item = serializers.CharField(help_text="item code")


class LicenceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    material = MaterialRefSerializer()
    number = serializers.CharField()
    holder = ApplicantRefSerializer()
    department = DepartmentRefSerializer(help_text="issuing department")
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="null: no expiry")
    produced_by = serializers.SerializerMethodField(help_text="the item case that issued it here, if any")

    @extend_schema_field(ProducedBySerializer(allow_null=True))
    def get_produced_by(self, licence: Licence) -> dict[str, Any] | None:
        item = licence.item_case
        if item is None:
            return None
        return {"case": item.case.code_for_people, "item": item.item_code}


class LicenceFilterSerializer(serializers.Serializer[Any]):
    holder = id_field(required=False, help_text="applicant id")


class LicenceListApi(ListApi):
    """The licences the user may see: their applicants', the window's and supervisors' all, a department's own."""

    ordering = ("-issued_on", "-id")

    @extend_schema(
        operation_id="licences_list",
        parameters=[LicenceFilterSerializer],
        responses={200: LicenceSerializer(many=True), **errors(400, 403)},
        tags=["licences"],
    )
    def get(self, request: Request) -> Response:
        filters = validated(LicenceFilterSerializer, request.query_params)
        rows = licence_list_for_user(actor(request))
        if "holder" in filters:
            rows = rows.filter(holder_id=filters["holder"])
        return self.page(request, rows, LicenceSerializer)


class LicenceDetailApi(APIView):
    """One licence."""

    @extend_schema(
        operation_id="licences_retrieve", responses={200: LicenceSerializer, **errors(403, 404)}, tags=["licences"]
    )
    def get(self, request: Request, licence_id: int) -> Response:
        return Response(LicenceSerializer(access_licence_for_user(actor(request), licence_id)).data)
