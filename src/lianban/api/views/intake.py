"""Intake API (受理): the window's queue, material checks, accept / correction notice / refuse, the documents.

Only a clerk of the case's lead department (or a comprehensive window)
decides; the applicant, the window and supervisors read the correction
notice and the acceptance receipt.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role, User
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.fields import MAX_ROWS, bounded_rows, code_field
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.serializers import CaseDetailSerializer, CaseSummarySerializer, case_document
from lianban.api.views.cases import ReasonSerializer
from lianban.cases.access import access_case_for_user, clerk_serves, user_acts_for_case
from lianban.cases.models import Case
from lianban.cases.selectors import INTAKE_ORDER, case_intake_queue
from lianban.core.tracking import format_code
from lianban.intake.models import CheckResult, Decision, IntakeRound
from lianban.intake.selectors import acceptance_receipt, correction_notice_latest, intake_checks
from lianban.intake.services import (
    CheckVerdict,
    MaterialPromise,
    intake_accept,
    intake_check_many,
    intake_identity_confirm,
    intake_identity_refuse,
    intake_refuse,
    intake_request_correction,
)


class IntakeQueueApi(ListApi):
    """Cases waiting for an intake decision at the clerk's window, the longest waiting first (clerks only)."""

    ordering = INTAKE_ORDER

    @extend_schema(
        operation_id="intake_queue",
        responses={200: CaseSummarySerializer(many=True), **errors(403)},
        tags=["intake"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.CLERK)
        return self.page(request, case_intake_queue(user), CaseSummarySerializer)


# ------------------------------------------------------------------ checks


class CheckInputSerializer(serializers.Serializer[Any]):
    material = code_field(help_text="material code")
    result = serializers.ChoiceField(choices=CheckResult.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    paper = serializers.BooleanField(required=False, default=False, help_text="the paper original was checked")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["result"] != CheckResult.OK and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": [_("say what is missing or wrong")]})
        return attrs


class ChecksInputSerializer(serializers.Serializer[Any]):
    checks: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=CheckInputSerializer(), allow_empty=False, max_length=MAX_ROWS
    )

    def validate_checks(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One verdict per material: the last one sent wins (as it would in the round)."""
        return bounded_rows(value, key=lambda check: check["material"])


class CheckSerializer(serializers.Serializer[Any]):
    material = serializers.CharField(source="material.code")
    name = serializers.CharField(source="material.name")
    result = serializers.ChoiceField(choices=CheckResult.choices)
    reason = serializers.CharField()
    paper = serializers.BooleanField()
    checked_at = serializers.DateTimeField()


class IntakeRoundSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(source="number")
    decision = serializers.CharField(help_text="empty while the round is open")
    checks = serializers.SerializerMethodField()

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, round_: IntakeRound) -> Any:
        return CheckSerializer(intake_checks(round_).order_by("material__position"), many=True).data


class IntakeChecksApi(APIView):
    """The clerk's verdicts on materials to submit (ok / missing / wrong), in the current round."""

    @extend_schema(
        operation_id="intake_checks",
        description="All verdicts or none; the last verdict on a material in a round wins. A reason is "
        "required unless OK; `paper: true` with OK records that the paper original was checked (纸质文档).",
        request=ChecksInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: IntakeRoundSerializer, **errors(400, 403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(ChecksInputSerializer, request.data)
        verdicts = [
            CheckVerdict(material_code=c["material"], result=c["result"], reason=c["reason"], paper=c["paper"])
            for c in data["checks"]
        ]
        return command(
            request,
            run=lambda key: intake_check_many(actor=user, case_id=case_id, verdicts=verdicts, idempotency_key=key),
            render=lambda round_: IntakeRoundSerializer(round_).data,
        )


# ------------------------------------------------------------------ decisions


class PromiseInputSerializer(serializers.Serializer[Any]):
    material = code_field(help_text="code of a tolerable material")
    due = serializers.DateField(help_text="supplied by")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AcceptInputSerializer(serializers.Serializer[Any]):
    promises: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=PromiseInputSerializer(), required=False, default=list, max_length=MAX_ROWS, help_text="容缺 promises"
    )

    def validate_promises(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One promise per material: the last one sent wins."""
        return bounded_rows(value, key=lambda promise: promise["material"])


class IntakeAcceptApi(APIView):
    """Accept the case: the receipt is issued and every item that can start is dispatched."""

    @extend_schema(
        operation_id="intake_accept",
        description="Every required material to submit must be checked OK, except tolerable ones missing "
        "against a written promise (容缺); otherwise 409 `intake-incomplete`, `fields` naming each material "
        "(and `applicant` while the applicant's identity waits for the window's check: `identity/confirm`).",
        request=AcceptInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(AcceptInputSerializer, request.data)
        promises = {p["material"]: MaterialPromise(due=p["due"], text=p["text"]) for p in data["promises"]}
        return command(
            request,
            run=lambda key: intake_accept(actor=user, case_id=case_id, promises=promises, idempotency_key=key),
            render=lambda case: case_document(user, case.pk),
        )


class ProblemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    result = serializers.ChoiceField(choices=CheckResult.choices)
    reason = serializers.CharField()


class CorrectionNoticeSerializer(serializers.Serializer[Any]):
    case = serializers.SerializerMethodField(help_text="tracking code")
    round = serializers.IntegerField(source="number")
    issued_at = serializers.DateTimeField(source="decided_at")
    problems = ProblemSerializer(many=True, source="document.problems", help_text="every problem, at once")

    def get_case(self, round_: IntakeRound) -> str:
        return format_code(round_.document["case"])


class IntakeRequestCorrectionApi(APIView):
    """One consolidated correction notice listing every material checked missing or wrong (一次性告知)."""

    @extend_schema(
        operation_id="intake_request_correction",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CorrectionNoticeSerializer, **errors(403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: intake_request_correction(actor=user, case_id=case_id, idempotency_key=key),
            render=lambda round_: CorrectionNoticeSerializer(round_).data,
        )


class IntakeRefuseApi(APIView):
    """Refuse the application (不予受理) with the reason."""

    @extend_schema(
        operation_id="intake_refuse",
        request=ReasonSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(ReasonSerializer, request.data)
        return command(
            request,
            run=lambda key: intake_refuse(actor=user, case_id=case_id, reason=data["reason"], idempotency_key=key),
            render=lambda case: case_document(user, case.pk),
        )


class IntakeIdentityConfirmApi(APIView):
    """The papers prove the identity the applicant registered (身份核验): the case moves to the registered applicant.

    Only for a case whose applicant registered an identity that another
    account holds (an unverified claim; otherwise 409 `identity-not-claimed`). Every
    case and draft of the claim moves with it.
    """

    @extend_schema(
        operation_id="intake_identity_confirm",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseDetailSerializer, **errors(403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: intake_identity_confirm(actor=user, case_id=case_id, idempotency_key=key),
            render=lambda case: case_document(user, case.pk),
        )


class IntakeIdentityRefuseApi(APIView):
    """The papers do not prove the identity: the case goes back with a one-time notice naming it (and the materials)."""

    @extend_schema(
        operation_id="intake_identity_refuse",
        request=ReasonSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CorrectionNoticeSerializer, **errors(400, 403, 404, 409)},
        tags=["intake"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(ReasonSerializer, request.data)
        return command(
            request,
            run=lambda key: intake_identity_refuse(
                actor=user, case_id=case_id, reason=data["reason"], idempotency_key=key
            ),
            render=lambda round_: CorrectionNoticeSerializer(round_).data,
        )


# ------------------------------------------------------------------ documents


def _document_reader(user: User, case_id: int) -> Case:
    """The case, for the applicant, its window and supervisors (404 if invisible, 403 for other roles)."""
    case = access_case_for_user(user, case_id)
    if not (user_acts_for_case(user, case) or clerk_serves(user, case) or user.role == Role.SUPERVISOR):
        raise PermissionDenied(_("intake documents are for the applicant, the window and supervisors"))
    return case


class CorrectionNoticeApi(APIView):
    """The latest correction notice of the case (404 when there is none)."""

    @extend_schema(
        operation_id="intake_correction_notice",
        responses={200: CorrectionNoticeSerializer, **errors(403, 404)},
        tags=["intake"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        notice = correction_notice_latest(_document_reader(actor(request), case_id))
        if notice is None:
            raise Http404
        return Response(CorrectionNoticeSerializer(notice).data)


class ReceivedSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    how = serializers.ChoiceField(choices=["file", "paper", "licence"])


class PromisedSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    due = serializers.DateField()
    text = serializers.CharField()


class ReceiptSerializer(serializers.Serializer[Any]):
    case = serializers.SerializerMethodField(help_text="tracking code")
    round = serializers.IntegerField(source="number")
    accepted_at = serializers.DateTimeField(source="decided_at")
    deemed = serializers.SerializerMethodField(help_text="accepted by operation of law")
    deadline = serializers.DateField(source="document.deadline", default=None, help_text="for deemed acceptance")
    received = ReceivedSerializer(many=True, source="document.received", default=list)
    promised = PromisedSerializer(many=True, source="document.promised", default=list, help_text="容缺")

    def get_case(self, round_: IntakeRound) -> str:
        return format_code(round_.document["case"])

    def get_deemed(self, round_: IntakeRound) -> bool:
        return round_.decision == Decision.DEEMED


class ReceiptApi(APIView):
    """The acceptance receipt (by the window's decision or by law); 404 before acceptance."""

    @extend_schema(
        operation_id="intake_receipt",
        responses={200: ReceiptSerializer, **errors(403, 404)},
        tags=["intake"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        receipt = acceptance_receipt(_document_reader(actor(request), case_id))
        if receipt is None:
            raise Http404
        return Response(ReceiptSerializer(receipt).data)
