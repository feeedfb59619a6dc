"""URL configuration: admin, API, portal."""

from django.contrib import admin
from django.urls import include, path

from lianban.messaging.views import receipts
from lianban.portal.views import SignInView, sso_callback, sso_start

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("lianban.api.urls")),
    # the login page with sign-up, reset and single sign-on links; Django's other account pages after it
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/sso/", sso_start, name="sso_start"),
    path("accounts/sso/callback/", sso_callback, name="sso_callback"),
    path("accounts/", include("django.contrib.auth.urls")),
    # SMS providers' delivery receipts (the secret in the path authenticates them; docs/messages.md)
    path("messages/receipts/<str:provider>/<str:secret>/", receipts, name="message_receipts"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lianban.workbench.evaluation_urls")),
    path("work/", include("lianban.workbench.urls")),
    path("", include("lianban.portal.urls")),
]
