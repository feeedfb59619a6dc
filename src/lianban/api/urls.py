"""The REST API: each domain app contributes its routes from ``api_urls.py``."""

from django.urls import include, path

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI under the strict CSP: its start script is a separate request (the split view), its
    # stylesheet draws icons as data: images.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("", include("lianban.catalog.api_urls")),
    path("", include("lianban.accounts.api_urls")),
    path("", include("lianban.cases.api_urls")),
    path("", include("lianban.intake.api_urls")),
    path("", include("lianban.review.api_urls")),
    path("", include("lianban.issuance.api_urls")),
    path("", include("lianban.licences.api_urls")),
    path("", include("lianban.supervision.api_urls")),
    path("", include("lianban.evaluation.api_urls")),
    path("", include("lianban.workdays.api_urls")),
    path("", include("lianban.outbox.api_urls")),
]
