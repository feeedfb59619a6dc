"""The REST API: the routes of each domain (``api.routes``) to the views of each domain (``api.views``)."""

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
    path("", include("lianban.api.routes.catalog")),
    path("", include("lianban.api.routes.accounts")),
    path("", include("lianban.api.routes.cases")),
    path("", include("lianban.api.routes.intake")),
    path("", include("lianban.api.routes.review")),
    path("", include("lianban.api.routes.issuance")),
    path("", include("lianban.api.routes.licences")),
    path("", include("lianban.api.routes.supervision")),
    path("", include("lianban.api.routes.evaluation")),
    path("", include("lianban.api.routes.statistics")),
    path("", include("lianban.api.routes.outbox")),
]
