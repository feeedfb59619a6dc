"""API routes of accounts (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.accounts import ApplicantDetailApi, ApplicantListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("applicants/", ApplicantListApi.as_view(), name="applicants-list"),
    path("applicants/<int:applicant_id>", ApplicantDetailApi.as_view(), name="applicants-detail"),
]
