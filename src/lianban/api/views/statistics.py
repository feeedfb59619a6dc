"""Statistics API (统计): the figures of a period from the fact tables, the 五减, the overdue heat table, and the
cases behind each figure.

The supervisor reads every department's figures; department staff (reviewers, clerks of a department) read
their department's only, whatever they ask for. The facts are as fresh as the worker's last build
(``refreshed_at``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role
from lianban.api.common import ListApi, actor, errors, require_role, validated
from lianban.api.fields import code_field, id_field
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.cases.models import CaseState, Channel
from lianban.statistics import reports, selectors
from lianban.statistics.exports import export_request
from lianban.statistics.models import Export, ExportKind, ExportState, FactStatus
from lianban.statistics.selectors import (
    FIVE_PROVISIONAL,
    GRAINS,
    LEVELS,
    METRIC_NAMES,
    PROVISIONAL_NAMES,
    STATISTICS_ROLES,
    Filters,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The longest period one request may cover, in days (about ten years).
MAX_PERIOD_DAYS = 3700


class StatisticsQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(required=False, default=None, help_text="first day (default: 11 months back, day 1)")
    end = serializers.DateField(required=False, default=None, help_text="last day (default: today)")
    grain = serializers.ChoiceField(choices=GRAINS, required=False, default="month", help_text="trend periods")
    department = code_field(required=False, default="", help_text="department code (staff: always their own)")
    window = id_field(required=False, default=None, help_text="the window: id of the clerk who accepted")
    item = code_field(required=False, default="", help_text="item code")
    thing = code_field(required=False, default="", help_text="one-thing code")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise ValidationError({"start": [_("the first day comes after the last day")]})
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError({"end": [_("a period covers at most %(days)s days") % {"days": MAX_PERIOD_DAYS}]})
        return attrs


class LevelQuerySerializer(StatisticsQuerySerializer):
    level = serializers.ChoiceField(
        choices=LEVELS, required=False, default="packages", help_text="packages (a one-thing once) or items"
    )


class DrillQuerySerializer(LevelQuerySerializer):
    metric = serializers.ChoiceField(choices=METRIC_NAMES, help_text="the figure whose cases to list")
    due_from = serializers.DateField(
        required=False, default=None, help_text="only the rows due from this day (a cell of the overdue heat table)"
    )
    due_to = serializers.DateField(required=False, default=None, help_text="only the rows due up to this day")


def filters_for(request: Request, serializer: type[StatisticsQuerySerializer]) -> tuple[dict[str, Any], Filters]:
    """The validated query and the user's filters (400 naming an unknown code; 403 for other roles)."""
    user = actor(request)
    require_role(user, *STATISTICS_ROLES)
    query = validated(serializer, request.query_params)
    try:
        asked = selectors.resolve(
            start=query["start"],
            end=query["end"],
            grain=query["grain"],
            department=query["department"],
            window=query["window"],
            item=query["item"],
            thing=query["thing"],
            channel=query["channel"],
        )
    except selectors.UnknownCode as exc:
        raise ValidationError({exc.field: [_("no such code")]}) from None
    if asked.start > asked.end:
        raise ValidationError({"start": [_("the first day comes after the last day")]})
    return query, selectors.scoped(user, asked)


class StatisticsFiguresSerializer(serializers.Serializer[Any]):
    received = serializers.IntegerField(
        help_text="受理量: received (accepted, or dispatched for an item) in the period"
    )
    finished = serializers.IntegerField(help_text="办结量: finished in the period")
    open = serializers.IntegerField(help_text="在办量: received and not finished at the period's end")
    on_time = serializers.IntegerField(help_text="finished by the due date")
    early = serializers.IntegerField(help_text="finished before the due date")
    overdue = serializers.IntegerField(help_text="超期件: finished late in the period, or running past the due date")
    instant = serializers.IntegerField(help_text="即办件 received (promised 0 working days)")
    first_time = serializers.IntegerField(help_text="一次办结: finished without correction or supplement")
    online = serializers.IntegerField(help_text="received online (网办)")
    corrected = serializers.IntegerField(help_text="received and sent back for correction or supplement")
    signalled = serializers.IntegerField(help_text="received and given a deadline signal")
    ordered = serializers.IntegerField(help_text="received and named in a 督办 order")
    rounds = serializers.IntegerField(help_text="补正轮次: correction and supplement rounds of the received")
    signals = serializers.IntegerField(help_text="deadline signals of the received")
    orders = serializers.IntegerField(help_text="督办 orders naming the received")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按时办结率: on_time / finished")
    early_rate = serializers.FloatField(allow_null=True, help_text="提前办结率: early / finished")
    instant_rate = serializers.FloatField(allow_null=True, help_text="即办件比例: instant / received")
    first_time_rate = serializers.FloatField(allow_null=True, help_text="一次办结率: first_time / finished")
    online_rate = serializers.FloatField(allow_null=True, help_text="网办率: online / received")
    rounds_per_case = serializers.FloatField(allow_null=True, help_text="rounds / received")
    days_used_avg = serializers.FloatField(allow_null=True, help_text="working days used by the finished, average")
    days_used_p90 = serializers.IntegerField(allow_null=True, help_text="working days used, 90th percentile")
    days_promised_avg = serializers.FloatField(allow_null=True, help_text="promised working days, average")
    provisional = serializers.ListField(
        child=serializers.ChoiceField(choices=PROVISIONAL_NAMES),
        help_text="预计: the figures resting on working days counted through a year without an official holiday "
        "arrangement yet (a provisional calendar from the holiday law); they may change, and are confirmed, once "
        "the arrangement is entered. Empty: every figure is final",
    )


class BreakdownRowSerializer(StatisticsFiguresSerializer):
    code = serializers.CharField(help_text="department or one-thing code, item code, channel, clerk's user name")
    name = serializers.CharField()
    key = serializers.CharField(help_text="the value to filter by (code, or the window's id)")


class TrendRowSerializer(serializers.Serializer[Any]):
    period = serializers.DateField(help_text="first day of the period (ISO week: Monday)")
    received = serializers.IntegerField()
    finished = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    provisional = serializers.BooleanField(help_text="预计: the period's on-time figures rest on provisional dates")


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    grain = serializers.ChoiceField(choices=GRAINS)
    department = serializers.CharField(help_text="department code the figures are limited to, or empty")
    generated_at = serializers.DateTimeField()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="when the facts were last brought up to date")


class StatisticsSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    level = serializers.ChoiceField(choices=LEVELS)
    totals = StatisticsFiguresSerializer()
    trend = TrendRowSerializer(many=True)
    departments = BreakdownRowSerializer(many=True, help_text="per department (packages: the lead department)")
    channels = BreakdownRowSerializer(many=True)
    things = BreakdownRowSerializer(many=True)
    items = BreakdownRowSerializer(many=True, help_text="per item (level items; empty for packages)")
    windows = BreakdownRowSerializer(many=True, help_text="per window (the clerk who accepted)")


class StatisticsApi(APIView):
    """The figures of a period: totals, the trend, and per department, channel, one-thing, item and window."""

    @extend_schema(
        operation_id="statistics",
        parameters=[LevelQuerySerializer],
        responses={200: StatisticsSerializer, **errors(400, 403)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        query, f = filters_for(request, LevelQuerySerializer)
        return Response(StatisticsSerializer(reports.statistics_document(query["level"], f)).data)


class FiveReductionRowSerializer(serializers.Serializer[Any]):
    thing = serializers.CharField(source="code", help_text="one-thing code")
    name = serializers.CharField()
    received = serializers.IntegerField()
    finished = serializers.IntegerField()
    trips_separate = serializers.FloatField(allow_null=True, help_text="average per package, each item separately")
    trips_promised = serializers.FloatField(allow_null=True, help_text="average per package, the plan's promise")
    trips_realised = serializers.FloatField(allow_null=True, help_text="average per package, what happened")
    materials_separate = serializers.FloatField(allow_null=True)
    materials_promised = serializers.FloatField(allow_null=True)
    materials_realised = serializers.FloatField(allow_null=True)
    forms_separate = serializers.FloatField(allow_null=True)
    forms_promised = serializers.FloatField(allow_null=True)
    forms_realised = serializers.FloatField(allow_null=True)
    days_separate = serializers.FloatField(allow_null=True, help_text="serial legal working days (finished packages)")
    days_promised = serializers.FloatField(allow_null=True, help_text="the plan's working days (finished packages)")
    days_realised = serializers.FloatField(allow_null=True, help_text="working days used (finished packages)")
    provisional = serializers.ListField(
        child=serializers.ChoiceField(choices=FIVE_PROVISIONAL),
        help_text="预计: days_realised is counted through a year with a provisional calendar",
    )


class FiveReductionsSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    things = FiveReductionRowSerializer(many=True)


class FiveReductionsApi(APIView):
    """Realised 五减 per one-thing: trips, materials, forms and days, separately, promised and as they happened."""

    @extend_schema(
        operation_id="statistics_five_reductions",
        parameters=[StatisticsQuerySerializer],
        responses={200: FiveReductionsSerializer, **errors(400, 403)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        _, f = filters_for(request, StatisticsQuerySerializer)
        return Response(FiveReductionsSerializer(reports.five_document(f)).data)


class HeatCellSerializer(serializers.Serializer[Any]):
    department = serializers.CharField(help_text="department code")
    department_name = serializers.CharField()
    period = serializers.DateField(help_text="first day of the period the due dates fall in")
    overdue = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="预计: a due date counted is provisional")


class OverdueHeatSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    level = serializers.ChoiceField(choices=LEVELS)
    cells = HeatCellSerializer(many=True)


class OverdueHeatApi(APIView):
    """Overdue (超期) counts per department and period of the due date: the heat table."""

    @extend_schema(
        operation_id="statistics_overdue_heat",
        parameters=[LevelQuerySerializer],
        responses={200: OverdueHeatSerializer, **errors(400, 403)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        query, f = filters_for(request, LevelQuerySerializer)
        return Response(OverdueHeatSerializer(reports.heat_document(query["level"], f)).data)


class FactCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="case.pk")
    code = serializers.CharField(source="case.code_for_people", help_text="tracking code, XXXX-XXXX-XXXX")
    state = serializers.ChoiceField(source="case.state", choices=CaseState.choices)
    thing = serializers.CharField(source="thing.code")
    thing_name = serializers.CharField(source="thing.name")
    department = serializers.CharField(source="department.code", help_text="packages: the lead department")
    department_name = serializers.CharField(source="department.name")
    item_code = serializers.CharField(default="", help_text="level items: the item")
    item_name = serializers.CharField(default="")
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(choices=FactStatus.choices)
    received_on = serializers.DateField(allow_null=True)
    finished_on = serializers.DateField(allow_null=True, help_text="finished, or ended without a decision")
    due_on = serializers.DateField(allow_null=True)
    promised_days = serializers.IntegerField()
    days_used = serializers.IntegerField(allow_null=True)
    late = serializers.BooleanField()
    provisional = serializers.BooleanField(
        help_text="预计: due_on / days_used (and so late) are counted through a year with a provisional calendar"
    )


class StatisticsCasesApi(ListApi):
    """The cases behind one figure (the rows its rule counts), the latest received first; the overdue ones the
    latest due first."""

    ordering = ("-received_on", "-case")

    @extend_schema(
        operation_id="statistics_cases",
        parameters=[DrillQuerySerializer],
        responses={200: FactCaseSerializer(many=True), **errors(400, 403)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        query, f = filters_for(request, DrillQuerySerializer)
        f = replace(f, due_from=query["due_from"], due_to=query["due_to"])
        rows = selectors.drill_down(query["level"], f, query["metric"])
        self.ordering = selectors.drill_ordering(query["level"], query["metric"])
        return self.page(request, rows, FactCaseSerializer)


# ------------------------------------------------------------------ xlsx exports


class ExportRequestSerializer(LevelQuerySerializer):
    kind = serializers.ChoiceField(
        choices=ExportKind.choices, help_text="DASHBOARD: every table of the statistics; CASES: a figure's cases"
    )
    metric = serializers.ChoiceField(
        choices=METRIC_NAMES, required=False, default="", help_text="for CASES: the figure whose cases to export"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs["kind"] == ExportKind.CASES and not attrs["metric"]:
            raise ValidationError({"metric": [_("say which figure's cases to export")]})
        return attrs


#: The monthly bulletin is the supervision office's, over every department.
BULLETIN_ROLES = (Role.SUPERVISOR,)


class ExportSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    state = serializers.ChoiceField(
        choices=ExportState.choices,
        help_text="QUEUED, RUNNING, DONE, FAILED or EXPIRED (the file was deleted after LIANBAN_EXPORT_KEEP_DAYS)",
    )
    rows_done = serializers.IntegerField(help_text="rows written so far")
    rows_total = serializers.IntegerField(allow_null=True, help_text="rows in all, once known")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download = serializers.SerializerMethodField(help_text="the file's URL once DONE, else null")

    def get_download(self, export: Export) -> str | None:
        if export.state != ExportState.DONE:
            return None
        return reverse("statistics-export-file", kwargs={"export_id": export.pk})


class ExportListApi(APIView):
    """Ask for an xlsx export (written in the background): the statistics' tables, or the cases of a figure."""

    @extend_schema(
        operation_id="statistics_export_request",
        request=ExportRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ExportSerializer, **errors(400, 403)},
        tags=["statistics"],
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        require_role(user, *STATISTICS_ROLES)
        data = validated(ExportRequestSerializer, request.data)
        if data["kind"] == ExportKind.BULLETIN:
            require_role(user, *BULLETIN_ROLES)
        try:
            asked = selectors.resolve(
                start=data["start"],
                end=data["end"],
                grain=data["grain"],
                department=data["department"],
                window=data["window"],
                item=data["item"],
                thing=data["thing"],
                channel=data["channel"],
            )
        except selectors.UnknownCode as exc:
            raise ValidationError({exc.field: [_("no such code")]}) from None
        f = selectors.scoped(user, asked)
        return command(
            request,
            run=lambda key: export_request(
                actor=user,
                kind=data["kind"],
                level=data["level"],
                filters=f,
                metric=data["metric"],
                idempotency_key=key,
            ),
            render=lambda export: ExportSerializer(export).data,
            status=202,
        )


class ExportDetailApi(APIView):
    """Where an export stands: its progress, and its download once written (the requester's only)."""

    @extend_schema(
        operation_id="statistics_export",
        responses={200: ExportSerializer, **errors(403, 404)},
        tags=["statistics"],
    )
    def get(self, request: Request, export_id: int) -> Response:
        export = get_object_or_404(Export, pk=export_id, requested_by=actor(request))
        return Response(ExportSerializer(export).data)


class ExportFileApi(APIView):
    """The xlsx file of a written export (the requester's only)."""

    @extend_schema(
        operation_id="statistics_export_file",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="the xlsx workbook"),
            **errors(403, 404),
        },
        tags=["statistics"],
    )
    def get(self, request: Request, export_id: int) -> FileResponse:
        export = get_object_or_404(Export, pk=export_id, requested_by=actor(request), state=ExportState.DONE)
        if not export.file.name or not default_storage.exists(export.file.name):
            raise Http404
        response = FileResponse(
            default_storage.open(export.file.name, "rb"),
            content_type=XLSX,
            as_attachment=True,
            filename=f"statistics-{export.pk}.xlsx",
        )
        response["Cache-Control"] = "private, no-store"
        return response
