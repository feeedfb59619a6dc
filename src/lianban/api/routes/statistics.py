"""API routes of the statistics (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.statistics import (
    ExportDetailApi,
    ExportFileApi,
    ExportListApi,
    FiveReductionsApi,
    OverdueHeatApi,
    StatisticsApi,
    StatisticsCasesApi,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics", StatisticsApi.as_view(), name="statistics"),
    path("statistics/five-reductions", FiveReductionsApi.as_view(), name="statistics-five-reductions"),
    path("statistics/overdue-heat", OverdueHeatApi.as_view(), name="statistics-overdue-heat"),
    path("statistics/cases", StatisticsCasesApi.as_view(), name="statistics-cases"),
    path("statistics/exports", ExportListApi.as_view(), name="statistics-exports"),
    path("statistics/exports/<int:export_id>", ExportDetailApi.as_view(), name="statistics-export"),
    path("statistics/exports/<int:export_id>/file", ExportFileApi.as_view(), name="statistics-export-file"),
]
