"""API routes of cases (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views import cases as apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", apis.CaseListApi.as_view(), name="cases-list"),
    path("cases/<int:case_id>", apis.CaseDetailApi.as_view(), name="cases-detail"),
    path("cases/<int:case_id>/materials/<str:code>", apis.CaseMaterialApi.as_view(), name="cases-material"),
    path("cases/<int:case_id>/resubmit", apis.CaseResubmitApi.as_view(), name="cases-resubmit"),
    path("cases/<int:case_id>/withdraw", apis.CaseWithdrawApi.as_view(), name="cases-withdraw"),
    path("cases/<int:case_id>/events", apis.CaseEventListApi.as_view(), name="cases-events"),
    path("cases/<int:case_id>/progress", apis.CaseProgressApi.as_view(), name="cases-progress"),
    path("notifications/", apis.NotificationListApi.as_view(), name="notifications-list"),
    path("track/<str:code>", apis.TrackApi.as_view(), name="track"),
]
