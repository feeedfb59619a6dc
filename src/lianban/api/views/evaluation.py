"""好差评 API: rating a finished case's services (portal, one-time token, staff entry), 追评, the window's visit
token, the 差评 rectification tickets (steps by the rated unit, 复评 by the evaluator) and the unit's appeals
(申诉, decided by a supervisor). The evaluator's identity and the case are shown to supervisors only: for the
rated unit ``case`` and ``evaluator`` are null.

No answer ever shows staff a level before it was given: the token endpoints answer what can be rated, and the
rating's answer goes to whoever gave it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.urls import reverse

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.fields import code_field
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.serializers import CaseRefSerializer
from lianban.cases import clock
from lianban.cases.access import access_case_for_user
from lianban.core import evaluation as rules
from lianban.evaluation import services
from lianban.evaluation.access import evaluator_shown
from lianban.evaluation.models import (
    Appeal,
    AppealGrounds,
    AppealState,
    EnteredChannel,
    Rating,
    RatingChannel,
    RectificationTicket,
    Rerating,
    TicketFlow,
    TicketState,
    Verdict,
)
from lianban.evaluation.selectors import (
    Period,
    appeal_for_user,
    appeal_list_for_user,
    evaluator_name,
    rating_state_for_applicant,
    rating_statistics,
    ticket_for_user,
    ticket_list_for_user,
)

LEVELS = (
    "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (2 and below is a 差评, which opens a rectification ticket)"
)


class GivenSerializer(serializers.Serializer[Any]):
    item_case = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="the item case rated; absent or null: the case as a whole",
    )
    level = serializers.IntegerField(min_value=1, max_value=5, help_text=LEVELS)
    indicators = serializers.ListField(
        child=code_field(),
        required=False,
        default=list,
        max_length=20,
        help_text="indicator codes of the current set (a 差评 names at least one)",
    )
    comment = serializers.CharField(max_length=services.TEXT_MAX, required=False, default="", allow_blank=True)


class EnteredSerializer(GivenSerializer):
    channel = serializers.ChoiceField(choices=EnteredChannel.choices)


class RatingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    service = serializers.CharField(help_text="case:<id>, item:<id> or visit:<token id>")
    item_code = serializers.CharField(source="item_case.item_code", default="")
    department = serializers.CharField(source="department.code")
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    indicators = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField()
    channel = serializers.ChoiceField(choices=RatingChannel.choices)
    is_default = serializers.BooleanField()
    entered_by_staff = serializers.SerializerMethodField()
    rated_at = serializers.DateTimeField()

    def get_entered_by_staff(self, rating: Rating) -> bool:
        return rating.entered_by_id is not None


class ServiceSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    item_case = serializers.IntegerField(allow_null=True)
    item_name = serializers.CharField(help_text="empty for the case as a whole")
    rated = serializers.BooleanField()
    rating = RatingSerializer(allow_null=True)


class IndicatorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(source="label")


class TokenServicesSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    case = serializers.CharField(help_text="the tracking code")
    indicator_version = serializers.CharField()
    indicators = IndicatorSerializer(many=True)
    services = ServiceSerializer(many=True)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    url = serializers.CharField(help_text="the rating page to open on the window's tablet")
    expires_at = serializers.DateTimeField()


class FollowUpSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=services.TEXT_MAX)


def _service_rows(pairs: list[tuple[services.Service, Rating | None]]) -> list[dict[str, Any]]:
    return [
        {
            "service": service.key,
            "item_case": service.item_case.pk if service.item_case else None,
            "item_name": service.item_case.item_name if service.item_case else "",
            "rated": rating is not None,
            "rating": rating,
        }
        for service, rating in pairs
    ]


def _given(data: dict[str, Any]) -> services.Given:
    return services.Given(level=data["level"], indicators=data["indicators"], comment=data["comment"])


class CaseRatingsApi(APIView):
    """The services of the applicant's finished case and their ratings; rate one (portal channel)."""

    @extend_schema(
        operation_id="evaluation_case_ratings",
        responses={200: ServiceSerializer(many=True), **errors(403, 404)},
        tags=["evaluation"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = access_case_for_user(user, case_id)
        return Response(ServiceSerializer(_service_rows(rating_state_for_applicant(user, case)), many=True).data)

    @extend_schema(
        operation_id="evaluation_rate",
        parameters=[IDEMPOTENCY_KEY],
        description="One rating per service per evaluator: a second answers 409 `already-rated`.",
        request=GivenSerializer,
        responses={201: RatingSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(GivenSerializer, request.data)
        return command(
            request,
            run=lambda key: services.rating_give(
                actor=user, case_id=case_id, item_case_id=data["item_case"], given=_given(data), idempotency_key=key
            ),
            render=lambda rating: RatingSerializer(rating).data,
            status=201,
        )


class CaseRatingEnterApi(APIView):
    """The window enters a rating given by telephone or on paper (marked so)."""

    @extend_schema(
        operation_id="evaluation_enter",
        parameters=[IDEMPOTENCY_KEY],
        request=EnteredSerializer,
        responses={201: RatingSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(EnteredSerializer, request.data)
        return command(
            request,
            run=lambda key: services.rating_enter(
                actor=user,
                case_id=case_id,
                item_case_id=data["item_case"],
                channel=data["channel"],
                given=_given(data),
                idempotency_key=key,
            ),
            render=lambda rating: RatingSerializer(rating).data,
            status=201,
        )


def _tablet_url(request: Request, token: str) -> str:
    path = reverse("evaluation:rate", args=[token])
    return (settings.LIANBAN_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")) + path


class VisitTokenApi(APIView):
    """The window starts a visit rating (一次一评): a one-time token for the window's evaluator (tablet)."""

    @extend_schema(
        operation_id="evaluation_visit_token",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={201: TokenSerializer, **errors(403, 404)},
        tags=["evaluation"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: services.visit_token_make(actor=user, case_id=case_id, idempotency_key=key),
            render=lambda token: (
                TokenSerializer(
                    {"token": token.token, "url": _tablet_url(request, token.token), "expires_at": token.expires_at}
                ).data
            ),
            status=201,
        )


class TokenRatingApi(APIView):
    """Rating through a one-time token (message link, receipt QR code, window tablet): no sign-in.

    An unknown, expired or spent token answers 404 `rating-token-invalid`.
    """

    permission_classes = (AllowAny,)
    authentication_classes = ()
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="evaluation_token",
        responses={200: TokenServicesSerializer, **errors(404)},
        tags=["evaluation"],
    )
    def get(self, request: Request, token: str) -> Response:
        row, offered = services.token_services(token)
        kind = rules.Kind(row.kind)
        mode = rules.mode_of_channel(rules.Channel(row.channel), kind)
        indicators = rules.INDICATOR_SETS[rules.CURRENT_INDICATORS].for_mode(mode)
        body = {
            "kind": row.kind,
            "case": row.case.code_for_people,
            "indicator_version": rules.CURRENT_INDICATORS,
            "indicators": [{"code": i.code, "label": i.label} for i in indicators],
            "services": _service_rows([(service, None) for service in offered]),
        }
        return Response(TokenServicesSerializer(body).data)

    @extend_schema(
        operation_id="evaluation_token_rate",  # public: the token is spent once, no Idempotency-Key
        request=GivenSerializer,
        responses={201: None, **errors(400, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, token: str) -> Response:
        data = validated(GivenSerializer, request.data)
        services.rating_give_by_token(token=token, item_case_id=data["item_case"], given=_given(data))
        return Response(status=201)  # nothing echoed: the token's holder may be at a staffed window


class FollowUpApi(APIView):
    """The evaluator adds one 追评 to their rating within the configured days."""

    @extend_schema(
        operation_id="evaluation_follow_up",
        parameters=[IDEMPOTENCY_KEY],
        request=FollowUpSerializer,
        responses={201: RatingSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, rating_id: int) -> Response:
        user = actor(request)
        data = validated(FollowUpSerializer, request.data)
        return command(
            request,
            run=lambda key: services.follow_up_add(
                actor=user, rating_id=rating_id, comment=data["comment"], idempotency_key=key
            ),
            render=lambda follow: RatingSerializer(follow).data,
            status=201,
        )


# ------------------------------------------------------------------ rectification tickets


class TicketFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=TicketState.choices, required=False, default="")
    department = code_field(required=False, default="", help_text="department code")


class MaskedSerializer(serializers.Serializer[Any]):
    """Shows the case and the evaluator of a rating to the supervisors only (context ``user``)."""

    def _shown(self) -> bool:
        user = self.context.get("user")
        return user is not None and evaluator_shown(user)

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_case(self, row: Any) -> dict[str, Any] | None:
        if row.case is None:  # an anonymous window rating: no case
            return None
        return dict(CaseRefSerializer(row.case).data) if self._shown() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evaluator(self, row: Any) -> str | None:
        return evaluator_name(row.rating) if self._shown() else None


class TicketSerializer(MaskedSerializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=TicketState.choices)
    state_label = serializers.CharField(source="get_state_display")
    case = serializers.SerializerMethodField(
        help_text="null for the rated unit (the evaluator is masked) and for an anonymous window rating (no case)"
    )
    evaluator = serializers.SerializerMethodField(help_text="who rated; null for the rated unit (masked)")
    anonymous = serializers.BooleanField(
        source="rating.anonymous", help_text="an anonymous rating of a window (QR code): no case, nobody to call back"
    )
    flow = serializers.ChoiceField(
        choices=TicketFlow.choices,
        help_text="the steps it runs: FULL 预审 → 回访核实 → 整改 → 反馈 → 复评; ANONYMOUS 预审 → 整改",
    )
    window = serializers.CharField(source="rating.window.code", default="", help_text="the rated window's code")
    item_code = serializers.CharField(source="rating.item_case.item_code", default="")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    responsible = serializers.CharField(source="responsible.username", default="")
    level = serializers.IntegerField(source="rating.level")
    indicators = serializers.ListField(child=serializers.CharField(), source="rating.indicators")
    comment = serializers.CharField(source="rating.comment")
    opened_at = serializers.DateTimeField()
    contact_due_on = serializers.DateField()
    rectify_due_on = serializers.DateField()
    verdict = serializers.CharField()
    precheck_note = serializers.CharField()
    call_record = serializers.CharField()
    rectification = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    feedback = serializers.CharField()
    rerating = serializers.CharField()
    reopened = serializers.IntegerField()
    order = serializers.IntegerField(source="order_id", allow_null=True, help_text="the 督办 order a reopening raised")
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_has_evidence(self, ticket: Any) -> bool:
        return bool(ticket.evidence)


class TicketListApi(ListApi):
    """Rectification tickets the user may see, newest first (supervisor: all; the unit: its own; applicant: theirs)."""

    ordering = ("-opened_at", "-id")

    @extend_schema(
        operation_id="evaluation_tickets",
        parameters=[TicketFilterSerializer],
        responses={200: TicketSerializer(many=True), **errors(400, 403)},
        tags=["evaluation"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, Role.SUPERVISOR, Role.REVIEWER, Role.CLERK, Role.APPLICANT)
        filters = validated(TicketFilterSerializer, request.query_params)
        return self.page(request, ticket_list_for_user(user, **filters), TicketSerializer, {"user": user})


class TicketDetailApi(APIView):
    """One rectification ticket."""

    @extend_schema(
        operation_id="evaluation_ticket",
        responses={200: TicketSerializer, **errors(403, 404)},
        tags=["evaluation"],
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        user = actor(request)
        return Response(TicketSerializer(ticket_for_user(user, ticket_id), context={"user": user}).data)


class PrecheckSerializer(serializers.Serializer[Any]):
    verdict = serializers.ChoiceField(choices=Verdict.choices, help_text="TRUE 属实, REASONABLE 合理, MALICIOUS 恶意")
    note = serializers.CharField(max_length=services.TEXT_MAX)


class VisitSerializer(serializers.Serializer[Any]):
    call_record = serializers.CharField(max_length=services.TEXT_MAX)


class RectifySerializer(serializers.Serializer[Any]):
    rectification = serializers.CharField(max_length=services.TEXT_MAX)
    evidence = serializers.FileField(max_length=255, required=False, allow_null=True, default=None)


class FeedbackSerializer(serializers.Serializer[Any]):
    feedback = serializers.CharField(max_length=services.TEXT_MAX)


class RerateSerializer(serializers.Serializer[Any]):
    rerating = serializers.ChoiceField(choices=Rerating.choices)


def _step(request: Request, run: Callable[[str | None], RectificationTicket]) -> Response:
    """A ticket step as a command: the ticket after it (a repeat with the same key replays the answer)."""
    user = actor(request)
    return command(
        request,
        run=run,
        render=lambda ticket: TicketSerializer(ticket_for_user(user, ticket.pk), context={"user": user}).data,
    )


class TicketPrecheckApi(APIView):
    """预审 by the rated unit: true, reasonable or malicious (malicious closes the ticket)."""

    @extend_schema(
        operation_id="evaluation_ticket_precheck",
        parameters=[IDEMPOTENCY_KEY],
        request=PrecheckSerializer,
        responses={200: TicketSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(PrecheckSerializer, request.data)
        return _step(
            request,
            lambda key: services.ticket_precheck(
                actor=actor(request),
                ticket_id=ticket_id,
                verdict=data["verdict"],
                note=data["note"],
                idempotency_key=key,
            ),
        )


class TicketVisitApi(APIView):
    """回访核实 by the rated unit: the call record."""

    @extend_schema(
        operation_id="evaluation_ticket_visit",
        parameters=[IDEMPOTENCY_KEY],
        request=VisitSerializer,
        responses={200: TicketSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(VisitSerializer, request.data)
        return _step(
            request,
            lambda key: services.ticket_visit(
                actor=actor(request), ticket_id=ticket_id, call_record=data["call_record"], idempotency_key=key
            ),
        )


class TicketRectifyApi(APIView):
    """整改 by the rated unit: what was done, with an evidence file (PDF, JPEG, PNG or OFD)."""

    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="evaluation_ticket_rectify",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": RectifySerializer},
        responses={200: TicketSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(RectifySerializer, request.data)
        return _step(
            request,
            lambda key: services.ticket_rectify(
                actor=actor(request),
                ticket_id=ticket_id,
                rectification=data["rectification"],
                evidence=data["evidence"],
                idempotency_key=key,
            ),
        )


class TicketFeedbackApi(APIView):
    """反馈 by the rated unit: what the evaluator is told."""

    @extend_schema(
        operation_id="evaluation_ticket_feedback",
        parameters=[IDEMPOTENCY_KEY],
        request=FeedbackSerializer,
        responses={200: TicketSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(FeedbackSerializer, request.data)
        return _step(
            request,
            lambda key: services.ticket_feedback(
                actor=actor(request), ticket_id=ticket_id, feedback=data["feedback"], idempotency_key=key
            ),
        )


class TicketRerateApi(APIView):
    """复评 by the evaluator: 不满意 reopens the ticket once and raises a 督办 order."""

    @extend_schema(
        operation_id="evaluation_ticket_rerate",
        parameters=[IDEMPOTENCY_KEY],
        request=RerateSerializer,
        responses={200: TicketSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(RerateSerializer, request.data)
        return _step(
            request,
            lambda key: services.ticket_rerate(
                actor=actor(request), ticket_id=ticket_id, rerating=data["rerating"], idempotency_key=key
            ),
        )


# ------------------------------------------------------------------ appeals: the unit files, a supervisor decides


class AppealFileSerializer(serializers.Serializer[Any]):
    grounds = serializers.ChoiceField(choices=AppealGrounds.choices, help_text="WRONG 评价有误, MALICIOUS 恶意差评")
    statement = serializers.CharField(max_length=services.TEXT_MAX)
    evidence = serializers.FileField(max_length=255, help_text="PDF, JPEG, PNG or OFD")


class AppealDecisionSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[(AppealState.UPHELD.value, "upheld"), (AppealState.REJECTED.value, "rejected")],
        help_text="UPHELD: the rating stays on the record and leaves the statistics; REJECTED: it counts",
    )
    reason = serializers.CharField(max_length=services.TEXT_MAX)


class AppealFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=AppealState.choices, required=False, default="")


class AppealSerializer(MaskedSerializer):
    id = serializers.IntegerField()
    ticket = serializers.IntegerField(source="ticket_id")
    rating = serializers.IntegerField(source="rating_id")
    case = serializers.SerializerMethodField(
        help_text="null for the rated unit (the evaluator is masked) and for an anonymous window rating (no case)"
    )
    evaluator = serializers.SerializerMethodField(help_text="who rated; null for the rated unit (masked)")
    anonymous = serializers.BooleanField(
        source="rating.anonymous", help_text="an anonymous rating of a window (QR code): no case, nobody to call back"
    )
    window = serializers.CharField(source="rating.window.code", default="", help_text="the rated window's code")
    item_code = serializers.CharField(source="rating.item_case.item_code", default="")
    level = serializers.IntegerField(source="rating.level")
    comment = serializers.CharField(source="rating.comment")
    department = serializers.CharField(source="department.code")
    grounds = serializers.ChoiceField(choices=AppealGrounds.choices)
    statement = serializers.CharField()
    filed_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=AppealState.choices)
    state_label = serializers.CharField(source="get_state_display")
    decision_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


def _appeal(request: Request, appeal: Appeal) -> dict[str, Any]:
    user = actor(request)
    return dict(AppealSerializer(appeal_for_user(user, appeal.pk), context={"user": user}).data)


class TicketAppealApi(APIView):
    """The rated unit appeals the ticket's 差评 as wrong or malicious, with an evidence file (once per rating)."""

    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="evaluation_ticket_appeal",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": AppealFileSerializer},
        responses={201: AppealSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = validated(AppealFileSerializer, request.data)
        return command(
            request,
            run=lambda key: services.appeal_file(
                actor=actor(request),
                ticket_id=ticket_id,
                grounds=data["grounds"],
                statement=data["statement"],
                evidence=data["evidence"],
                idempotency_key=key,
            ),
            render=lambda appeal: _appeal(request, appeal),
            status=201,
        )


class AppealListApi(ListApi):
    """Appeals the user may see, newest first (supervisor: all; the rated unit: its own)."""

    ordering = ("-filed_at", "-id")

    @extend_schema(
        operation_id="evaluation_appeals",
        parameters=[AppealFilterSerializer],
        responses={200: AppealSerializer(many=True), **errors(400, 403)},
        tags=["evaluation"],
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        filters = validated(AppealFilterSerializer, request.query_params)
        rows = appeal_list_for_user(user, **filters).select_related("case__thing", "rating__applicant")
        return self.page(request, rows, AppealSerializer, {"user": user})


class AppealDetailApi(APIView):
    """One appeal."""

    @extend_schema(
        operation_id="evaluation_appeal",
        responses={200: AppealSerializer, **errors(403, 404)},
        tags=["evaluation"],
    )
    def get(self, request: Request, appeal_id: int) -> Response:
        user = actor(request)
        return Response(AppealSerializer(appeal_for_user(user, appeal_id), context={"user": user}).data)


class AppealDecideApi(APIView):
    """A supervisor (never the rated unit) upholds or rejects an appeal, with the reason."""

    @extend_schema(
        operation_id="evaluation_appeal_decide",
        parameters=[IDEMPOTENCY_KEY],
        request=AppealDecisionSerializer,
        responses={200: AppealSerializer, **errors(400, 403, 404, 409)},
        tags=["evaluation"],
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        data = validated(AppealDecisionSerializer, request.data)
        return command(
            request,
            run=lambda key: services.appeal_decide(
                actor=actor(request),
                appeal_id=appeal_id,
                outcome=data["outcome"],
                reason=data["reason"],
                idempotency_key=key,
            ),
            render=lambda appeal: _appeal(request, appeal),
        )


# ------------------------------------------------------------------ statistics


class StatisticsFilterSerializer(serializers.Serializer[Any]):
    period = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, default="", help_text="YYYY-MM (default: this month)"
    )


class CountsSerializer(serializers.Serializer[Any]):
    ratings = serializers.IntegerField()
    active = serializers.IntegerField(help_text="not default")
    good = serializers.IntegerField(help_text="active, 基本满意 and above")
    bad = serializers.IntegerField(help_text="active 差评")
    defaults = serializers.IntegerField()
    visited = serializers.IntegerField(help_text="差评 called back (回访)")
    rectified = serializers.IntegerField(help_text="差评 whose ticket closed after 整改")
    rerated = serializers.IntegerField()
    rerated_satisfied = serializers.IntegerField()


class RatesSerializer(serializers.Serializer[Any]):
    good_rate = serializers.FloatField(allow_null=True, help_text="好评率 %, good/active")
    rectify_rate = serializers.FloatField(allow_null=True, help_text="差评整改率 %, rectified/bad")
    visit_rate = serializers.FloatField(allow_null=True, help_text="回访率 %, visited/bad")
    visit_satisfied_rate = serializers.FloatField(allow_null=True, help_text="回访满意率 %, rerated_satisfied/rerated")
    active_rate = serializers.FloatField(allow_null=True, help_text="主动评价率 %, active/ratings")
    unrated_rate = serializers.FloatField(allow_null=True, help_text="未评率 %, defaults/ratings")


class StatRowSerializer(serializers.Serializer[Any]):
    department = serializers.CharField()
    window = serializers.CharField()
    item_code = serializers.CharField(help_text="empty: the case as a whole")
    channel = serializers.ChoiceField(choices=RatingChannel.choices)
    counts = CountsSerializer()
    rates = RatesSerializer()


class RatingStatisticsSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    rows = StatRowSerializer(many=True)
    anonymous_rows = StatRowSerializer(
        many=True,
        help_text="the anonymous window ratings, counted apart: their 差评 rectified when the shortened ticket "
        "(预审 → 整改) closed after 整改; only good_rate and rectify_rate apply (the others null)",
    )


class StatisticsApi(APIView):
    """The 好差评 figures of a month per department × window × item × channel (supervisors): raw counts and
    rates, ratings whose appeal was upheld left out, anonymous window ratings counted apart (``anonymous_rows``).
    The xlsx export has the same (the anonymous rows on a second sheet)."""

    @extend_schema(
        operation_id="evaluation_statistics",
        parameters=[StatisticsFilterSerializer],
        responses={200: RatingStatisticsSerializer, **errors(400, 403)},
        tags=["evaluation"],
    )
    def get(self, request: Request) -> Response:
        require_role(actor(request), Role.SUPERVISOR)
        filters = validated(StatisticsFilterSerializer, request.query_params)
        period = Period.parse(filters["period"], clock.today())
        rows, anonymous_rows = (
            [
                {
                    "department": row.department,
                    "window": row.window,
                    "item_code": row.item_code,
                    "channel": row.channel,
                    "counts": asdict(row.counts),
                    "rates": row.rates,
                }
                for row in rating_statistics(period, anonymous=anonymous)
            ]
            for anonymous in (False, True)
        )
        body = {"period": str(period), "rows": rows, "anonymous_rows": anonymous_rows}
        return Response(RatingStatisticsSerializer(body).data)
