"""API routes of the statistics (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.statistics import FiveReductionsApi, OverdueHeatApi, StatisticsApi, StatisticsCasesApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics", StatisticsApi.as_view(), name="statistics"),
    path("statistics/five-reductions", FiveReductionsApi.as_view(), name="statistics-five-reductions"),
    path("statistics/overdue-heat", OverdueHeatApi.as_view(), name="statistics-overdue-heat"),
    path("statistics/cases", StatisticsCasesApi.as_view(), name="statistics-cases"),
]
