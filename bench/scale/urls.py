"""The product's URLs plus a bare Django JSON view, the yardstick of the tracking answer (bench only)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from lianban.config.access import PUBLIC, ROUTES
from lianban.config.urls import urlpatterns as product


def bare(request: HttpRequest) -> JsonResponse:
    """The least a Django JSON view does: no database, no template, a small JSON answer."""
    return JsonResponse({"ok": True, "code": "BARE-VIEW-0000", "stages": [{"stage": 1, "items": []}]})


# Every route needs a rule (the access middleware refuses a route without one): the bare view is public.
ROUTES["bench_bare"] = PUBLIC

urlpatterns = [path("bench/bare", bare, name="bench_bare"), *product]
