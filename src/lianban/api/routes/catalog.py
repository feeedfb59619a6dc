"""API routes of the catalog and planning (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.catalog import ThingDetailApi, ThingListApi, ThingPlanApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("things/", ThingListApi.as_view(), name="things-list"),
    path("things/<str:code>", ThingDetailApi.as_view(), name="things-detail"),
    path("things/<str:code>/plan", ThingPlanApi.as_view(), name="things-plan"),
]
