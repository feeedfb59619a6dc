"""API routes of supervision (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.supervision.apis import DueSoonApi, OverdueApi, SignalListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("supervision/due-soon", DueSoonApi.as_view(), name="supervision-due-soon"),
    path("supervision/overdue", OverdueApi.as_view(), name="supervision-overdue"),
    path("supervision/signals", SignalListApi.as_view(), name="supervision-signals"),
]
