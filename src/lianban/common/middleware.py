"""Middleware: absolute URLs of the public origin, a fixed interface language, staff idle timeout, private-by-default caching."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from lianban.common.http import PUBLIC_ANSWER, REVALIDATED_ANSWER
from lianban.core.errors import NotAllowed, NotVisible

#: Session key: when the signed-in staff member last made a request (seconds since the epoch).
LAST_SEEN = "lianban_last_seen"
#: The last-seen time is written at most this often (seconds), not on every request.
TOUCH_EVERY = 60


def is_staff_user(user: Any) -> bool:
    """True for everyone who works on cases or the platform (every role but applicant, and superusers)."""
    return bool(user.is_superuser or user.is_staff or not getattr(user, "is_applicant", True))


class PublicOriginMiddleware:
    """With ``LIANBAN_PUBLIC_URL`` set, ``request.build_absolute_uri`` builds on it (DRF's page links too).

    Django caches the scheme and host of ``build_absolute_uri`` in ``_current_scheme_host``; setting it
    is the one way to make every absolute URL (ours and the libraries') carry the public origin instead
    of the address the proxy used. ``tests/common/test_security.py`` fails if Django stops honouring it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.LIANBAN_PUBLIC_URL:
            request.__dict__["_current_scheme_host"] = settings.LIANBAN_PUBLIC_URL
        return self.get_response(request)


class FixedLanguageMiddleware:
    """With ``LIANBAN_LANGUAGE`` set, every answer is in that language, whatever the browser or the cookie asks.

    Runs after Django's ``LocaleMiddleware``, whose choice it replaces (its response headers then name
    the fixed language). The demo sets it to Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.LIANBAN_LANGUAGE:
            translation.activate(settings.LIANBAN_LANGUAGE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Sign staff out after ``LIANBAN_STAFF_IDLE_MINUTES`` without a request; the request goes on anonymous.

    Applicants keep their session for ``SESSION_COOKIE_AGE``. Token and Basic requests carry no session
    and are not concerned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        limit = settings.LIANBAN_STAFF_IDLE_MINUTES * 60
        if limit > 0 and user is not None and user.is_authenticated and is_staff_user(user):
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int) and now - last > limit:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Please sign in again.")
                    % {"minutes": settings.LIANBAN_STAFF_IDLE_MINUTES},
                )
            elif not isinstance(last, int) or now - last >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class PrivateByDefaultMiddleware:
    """``Cache-Control: private, no-store`` on every answer, except anonymous answers of ``public_answer`` views.

    Pages of a signed-in person, staff pages, PDFs, file downloads and the API's case data must never sit
    in a shared cache or the browser's back-button cache on a shared computer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "_lianban_public_answer", False) and not _signed_in(request):
            return response
        if getattr(request, "_lianban_revalidated_answer", False) and not _signed_in(request):
            response["Cache-Control"] = "private, no-cache"
            return response
        add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private; Expires now
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        """Remember whether the resolved view is marked public (a DRF view carries the mark on its class)."""
        public = getattr(view_func, PUBLIC_ANSWER, False) or getattr(
            getattr(view_func, "cls", None), PUBLIC_ANSWER, False
        )
        request._lianban_public_answer = bool(public)  # type: ignore[attr-defined]
        revalidated = getattr(view_func, REVALIDATED_ANSWER, False) or getattr(
            getattr(view_func, "cls", None), REVALIDATED_ANSWER, False
        )
        request._lianban_revalidated_answer = bool(revalidated)  # type: ignore[attr-defined]


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AccessErrorsMiddleware:
    """A service's ``NotVisible`` is the page's 404, its ``NotAllowed`` the page's 403 (with the reason).

    The services say who may see and do what in domain terms (``lianban.core.errors``); this is where the
    pages turn them into Django's answers (the API does the same in ``lianban.api.exceptions``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotVisible):
            raise Http404 from exception
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(exception.message or None) from exception
