"""URL configuration: admin, API, portal."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("lianban.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("work/", include("lianban.workbench.urls")),
    path("", include("lianban.portal.urls")),
]
