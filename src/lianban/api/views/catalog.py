"""Catalog and planning API: list things, show one, plan one.

Planning is public (applicants use the guide before they sign in) and returns
exactly what ``lianban plan`` prints for the same input.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.api.fields import MAX_ROWS, ScalarMapField, code_field
from lianban.catalog.planning import plan_document
from lianban.catalog.search import MAX_QUERY_CHARS, thing_search
from lianban.catalog.selectors import thing_get, thing_list
from lianban.common.http import public_answer
from lianban.core.catalog import FIELD_TYPES
from lianban.core.errors import UnknownThing


class DepartmentRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="stable error code, e.g. answers-invalid")
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="question key (or field) → problems",
    )


class SearchMatchSerializer(serializers.Serializer[Any]):
    score = serializers.FloatField(help_text="higher is a better match; results come best first")
    words = serializers.ListField(
        child=serializers.CharField(), help_text="words of the query found in the thing's name or keywords"
    )
    items = serializers.ListField(child=serializers.CharField(), help_text="names of its items that matched")


class ThingSummarySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    subject = serializers.ChoiceField(choices=["enterprise", "person"])
    lead_department = DepartmentRefSerializer()
    summary = serializers.CharField(allow_null=True, help_text="one paragraph introducing the thing")
    keywords = serializers.ListField(child=serializers.CharField(), help_text="words people use for it")
    match = SearchMatchSerializer(
        required=False,
        allow_null=True,
        help_text="only with `q`: why the thing matched; null on every thing when nothing matched",
    )


def _summary(thing: Any) -> dict[str, Any]:
    return {
        "code": thing.code,
        "name": thing.name,
        "subject": thing.subject,
        "lead_department": {"code": thing.lead_department.code, "name": thing.lead_department.name},
        "summary": thing.summary or None,
        "keywords": list(thing.keywords),
    }


@public_answer
class ThingListApi(APIView):
    """The one-things of the catalog, or those matching a search."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        operation_id="things_list",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=False,
                description=(
                    "Search in plain words (e.g. what a citizen types). Things are ranked by their name, "
                    "keywords, item names and question texts (Chinese is segmented with jieba), best match "
                    "first, each with `match`. When nothing matches, every thing is listed by code with "
                    f"`match: null`. Longer queries are cut to {MAX_QUERY_CHARS} characters."
                ),
            )
        ],
        responses=ThingSummarySerializer(many=True),
        tags=["planning"],
    )
    def get(self, request: Request) -> Response:
        query = str(request.query_params.get("q", "")).strip()
        if not query:
            return Response([_summary(t) for t in thing_list()])
        results = thing_search(query, limit=None)
        if not results:
            return Response([{**_summary(t), "match": None} for t in thing_list()])
        return Response(
            [
                {
                    **_summary(r.thing),
                    "match": {"score": r.hit.score, "words": list(r.hit.words), "items": list(r.hit.matched_items)},
                }
                for r in results
            ]
        )


class QuestionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    text = serializers.CharField()
    type = serializers.ChoiceField(choices=["number", "boolean", "choice", "text"])
    options = serializers.ListField(child=serializers.CharField(), allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    required = serializers.BooleanField()  # type: ignore[assignment]


class CandidateItemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    department = DepartmentRefSerializer()
    category = serializers.CharField()
    when = serializers.CharField(allow_null=True, help_text="condition; null = always")
    after = serializers.ListField(child=serializers.CharField())
    legal_days = serializers.IntegerField()
    promised_days = serializers.IntegerField()
    fee = serializers.FloatField()
    online = serializers.BooleanField()
    basis = serializers.CharField(allow_null=True, help_text="legal basis (设定依据)")


class ThingDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    subject = serializers.CharField()
    lead_department = DepartmentRefSerializer()
    questions = QuestionSerializer(many=True)
    items = CandidateItemSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField(), help_text="words people use for it")
    summary = serializers.CharField(allow_null=True, help_text="one paragraph introducing the thing")
    notes = serializers.ListField(child=serializers.CharField(), help_text="what to know before applying (办理须知)")


@public_answer
class ThingDetailApi(APIView):
    """One thing: its situational questions and candidate items."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        operation_id="things_retrieve",
        responses={200: ThingDetailSerializer, 404: ErrorSerializer},
        tags=["planning"],
    )
    def get(self, request: Request, code: str) -> Response:
        thing = thing_get(code)
        if thing is None:
            raise Http404
        return Response(
            {
                "code": thing.code,
                "name": thing.name,
                "subject": thing.subject,
                "lead_department": {"code": thing.lead_department.code, "name": thing.lead_department.name},
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "type": q.type,
                        "options": q.options,
                        "min": q.min,
                        "max": q.max,
                        "required": q.required,
                    }
                    for q in thing.questions.all()
                ],
                "items": [_candidate(entry) for entry in thing.entries.all()],
                "keywords": list(thing.keywords),
                "summary": thing.summary or None,
                "notes": list(thing.notes),
            }
        )


def _candidate(entry: Any) -> dict[str, Any]:
    item = entry.item
    return {
        "code": item.code,
        "name": item.name,
        "department": {"code": item.department.code, "name": item.department.name},
        "category": item.category,
        "when": entry.when,
        "after": list(entry.after),
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
        "fee": item.fee,
        "online": item.online,
        "basis": item.basis or None,
    }


class PlanInputSerializer(serializers.Serializer[Any]):
    answers = ScalarMapField(help_text="question key → answer (number, boolean or string)")
    licences = serializers.ListField(
        child=code_field(),
        required=False,
        default=list,
        max_length=MAX_ROWS,
        help_text="material codes the applicant already holds in the e-licence library",
    )

    def validate_licences(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class PlanItemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.IntegerField()
    department = serializers.CharField()
    after = serializers.ListField(child=serializers.CharField(), help_text="direct predecessors")
    legal_days = serializers.IntegerField()
    promised_days = serializers.IntegerField()
    fee = serializers.FloatField()
    online = serializers.BooleanField()
    produces = serializers.ListField(child=serializers.CharField())
    start_day = serializers.IntegerField(help_text="working days after acceptance when the item can start")
    finish_day = serializers.IntegerField()


class MaterialUseSerializer(serializers.Serializer[Any]):
    item = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    tolerable = serializers.BooleanField()
    name_override = serializers.CharField(allow_null=True)


class PlanMaterialSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=["applicant", "licence"])  # type: ignore[assignment]
    provenance = serializers.ChoiceField(choices=["produced", "licence", "submit"])
    required = serializers.BooleanField()  # type: ignore[assignment]
    tolerable = serializers.BooleanField()
    needed_by = serializers.ListField(child=serializers.CharField())
    produced_by = serializers.CharField(allow_null=True)
    uses = MaterialUseSerializer(many=True)


class FiguresSerializer(serializers.Serializer[Any]):
    departments = serializers.IntegerField()
    trips = serializers.IntegerField()
    forms = serializers.IntegerField()
    fields = serializers.IntegerField()  # type: ignore[assignment]
    materials = serializers.IntegerField()
    days = serializers.IntegerField()


class ReductionsSerializer(serializers.Serializer[Any]):
    before = FiguresSerializer()
    after = FiguresSerializer()


class CandidateExplanationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    included = serializers.BooleanField()
    when = serializers.CharField(allow_null=True)
    read = serializers.DictField(help_text="the answers its condition read")


class ChangeSerializer(serializers.Serializer[Any]):
    items_added = serializers.ListField(child=serializers.CharField())
    items_removed = serializers.ListField(child=serializers.CharField())
    materials_added = serializers.ListField(child=serializers.CharField())
    materials_removed = serializers.ListField(child=serializers.CharField())
    plan_days_delta = serializers.IntegerField()
    serial_days_delta = serializers.IntegerField()
    summary = serializers.CharField()


class BoundSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField()
    inclusive = serializers.BooleanField()


class RangeSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(help_text="e.g. ≥ 500")  # type: ignore[assignment]
    low = BoundSerializer(allow_null=True)
    high = BoundSerializer(allow_null=True)
    current = serializers.BooleanField()
    change = ChangeSerializer()


class AlternativeSerializer(serializers.Serializer[Any]):
    value = serializers.JSONField(allow_null=True)
    change = ChangeSerializer()


class ExplanationSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    text = serializers.CharField()
    type = serializers.CharField()
    current = serializers.JSONField(allow_null=True)
    ranges = RangeSerializer(many=True, required=False, help_text="number questions: where the plan changes")
    alternatives = AlternativeSerializer(many=True, required=False, help_text="yes/no and choice questions")


class FieldDefinitionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="what the form shows; the key itself when the catalog has no definition"
    )
    type = serializers.ChoiceField(choices=list(FIELD_TYPES))
    required = serializers.BooleanField()  # type: ignore[assignment]
    help = serializers.CharField(help_text="a hint under the field; empty when none")
    options = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="for choice")
    min = serializers.JSONField(allow_null=True, help_text="a number, or an ISO date for date fields")
    max = serializers.JSONField(allow_null=True, help_text="a number, or an ISO date for date fields")
    max_length = serializers.IntegerField(allow_null=True)
    prefill = serializers.CharField(allow_null=True, help_text="applicant.name … or answer.KEY")
    personal = serializers.BooleanField(help_text="masked for staff, never shown in public tracking")
    defined = serializers.BooleanField(help_text="false: the catalog has no definition for this key")


class PlanOutputSerializer(serializers.Serializer[Any]):
    schema_version = serializers.IntegerField(help_text="version of this document's shape (2); a case freezes it")
    thing = serializers.CharField()
    thing_name = serializers.CharField()
    lead_department = serializers.CharField()
    answers = serializers.DictField()
    licences = serializers.ListField(child=serializers.CharField())
    stages = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    items = PlanItemSerializer(many=True)
    materials = PlanMaterialSerializer(many=True)
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    field_definitions = FieldDefinitionSerializer(many=True, help_text="the definition of each of fields, in order")
    serial_days = serializers.IntegerField()
    plan_days = serializers.IntegerField()
    fee_total = serializers.FloatField()
    reductions = ReductionsSerializer()
    candidates = CandidateExplanationSerializer(many=True)
    explanations = ExplanationSerializer(many=True)


@public_answer
class ThingPlanApi(APIView):
    """The applicant's customised plan for a thing and answers (same JSON as ``lianban plan``)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        operation_id="things_plan",
        request=PlanInputSerializer,
        responses={200: PlanOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        examples=[
            OpenApiExample(
                "answers",
                request_only=True,
                value={"answers": {"size": 600, "shared": True}, "licences": []},
            )
        ],
        tags=["planning"],
    )
    def post(self, request: Request, code: str) -> Response:
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            document = plan_document(code, data.validated_data["answers"], data.validated_data["licences"])
        except UnknownThing as exc:
            raise Http404 from exc
        return Response(document)
