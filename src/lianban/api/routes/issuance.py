"""API routes of issuance (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views import issuance as apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/bill", apis.BillApi.as_view(), name="bills-detail"),
    path("cases/<int:case_id>/bill/pay", apis.BillPayApi.as_view(), name="bills-pay"),
    path("cases/<int:case_id>/issue", apis.CaseIssueApi.as_view(), name="cases-issue"),
]
