"""API routes of licences (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.licences import LicenceDetailApi, LicenceListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("licences/", LicenceListApi.as_view(), name="licences-list"),
    path("licences/<int:licence_id>", LicenceDetailApi.as_view(), name="licences-detail"),
]
