"""What a client locked out by repeated failed sign-ins (django-axes) is answered: 429, Retry-After, in Chinese.

The login page and the admin's login get a page saying how long the lock
lasts; the API gets its error shape. ``lianban axes_reset_username NAME`` (or
``axes_reset_ip ADDRESS``, ``axes_reset``) lifts a lock before it expires.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lianban.common.throttling import lock_seconds


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the 429 answer to a locked-out sign-in."""
    seconds = lock_seconds()
    minutes = max(1, seconds // 60)
    message = _("Too many failed sign-ins. This account or address is locked; try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "locked-out", "message": message, "fields": {}}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message, "minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
