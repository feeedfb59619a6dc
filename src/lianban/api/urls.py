"""The REST API: each domain app contributes its routes from ``api_urls.py``."""

from django.urls import include, path

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("lianban.catalog.api_urls")),
    path("", include("lianban.accounts.api_urls")),
    path("", include("lianban.cases.api_urls")),
    path("", include("lianban.intake.api_urls")),
    path("", include("lianban.review.api_urls")),
    path("", include("lianban.issuance.api_urls")),
    path("", include("lianban.licences.api_urls")),
    path("", include("lianban.supervision.api_urls")),
    path("", include("lianban.workdays.api_urls")),
]
