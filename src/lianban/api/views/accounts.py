"""Applicants API: the enterprises and persons a user acts for, registering one.

An applicant user registers the enterprise (or themselves) and becomes its
member; a window clerk registers an applicant at the window. Clerks and
supervisors see every applicant, applicant users those they act for.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.access import access_applicant_for_user
from lianban.accounts.models import Applicant, ApplicantKind, Role
from lianban.accounts.selectors import applicant_list_visible
from lianban.accounts.services import applicant_create
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.common.idempotency import idempotent
from lianban.core.masking import mask


class PersonalField(serializers.CharField):
    """A personal value: in full only when the serializer's context says ``personal_full``; masked by default."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text if self.context.get("personal_full") is True else mask(text, self.kind)


class ApplicantSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    id_number = PersonalField(
        "id_number", help_text="unified social credit code or citizen identity number; masked for staff"
    )
    name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = PersonalField("phone", help_text="masked for staff")
    address = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApplicantInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    id_number = serializers.CharField(max_length=40, help_text="checked with GB 32100 / GB 11643; spaces allowed")
    name = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApplicantListApi(ListApi):
    """Applicants: list the visible ones (by name), register one."""

    ordering = ("name", "id")

    @extend_schema(
        operation_id="applicants_list",
        responses={200: ApplicantSerializer(many=True), **errors(403)},
        tags=["applicants"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        # Applicant users list only their own applicants (in full); staff lists are masked.
        full = user.role == Role.APPLICANT
        return self.page(request, applicant_list_visible(user), ApplicantSerializer, context={"personal_full": full})

    @extend_schema(
        operation_id="applicants_create",
        description=(
            "Register an applicant (applicant users become its member; window clerks register at the window). "
            "Registering an identity again returns the same applicant. An applicant user registering an "
            "identity that other accounts registered gets the same answer (201, what they typed): a claim, "
            "confirmed by the window against their papers before any case of it is accepted."
        ),
        request=ApplicantInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ApplicantSerializer, **errors(400, 403)},
        tags=["applicants"],
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.APPLICANT, Role.CLERK)
        data = validated(ApplicantInputSerializer, request.data)

        def register(key: str | None) -> Applicant:
            return idempotent(
                actor=user,
                key=key,
                operation="applicant.create",
                model=Applicant,
                run=lambda: applicant_create(actor=user, **data),
            )

        def render(applicant: Applicant) -> Any:
            return ApplicantSerializer(applicant, context={"personal_full": True}).data  # what they just typed

        return command(request, run=register, render=render, status=201)


class ApplicantDetailApi(APIView):
    """One applicant."""

    @extend_schema(
        operation_id="applicants_retrieve",
        responses={200: ApplicantSerializer, **errors(403, 404)},
        tags=["applicants"],
    )
    def get(self, request: Request, applicant_id: int) -> Response:
        user = actor(request)
        applicant = access_applicant_for_user(user, applicant_id)
        context = {"personal_full": user.role == Role.APPLICANT}  # a member (access checked); staff: masked
        return Response(ApplicantSerializer(applicant, context=context).data)
