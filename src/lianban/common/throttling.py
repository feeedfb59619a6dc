"""API throttles: per user (and so per token), per address, Basic sign-ins, public tracking.

Rates come from ``LIANBAN_THROTTLE_RATES`` (settings, from the environment),
read at each request so tests and deployments can change them; a rate of
``None`` turns that throttle off. Counters live in the default cache (Redis
when ``LIANBAN_REDIS_URL`` is set, so every web process shares them). The
client's address is :func:`lianban.common.client_ip.client_ip`, which
believes a proxy's header only when one is configured.

HTTP Basic hashes the password on every call, so its attempts are throttled
per address *before* the hash (:class:`ThrottledBasicAuthentication`); a
user locked out by repeated failures (django-axes) gets 429 as well.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext as _

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from lianban.common.client_ip import client_ip


class _SettingsRate:
    """Mixin: the rate of ``scope`` from ``settings.LIANBAN_THROTTLE_RATES`` at call time; the address from client_ip."""

    scope: str

    def get_rate(self) -> str | None:
        """The configured rate, e.g. ``"60/min"``, or None (not throttled)."""
        return dict(getattr(settings, "LIANBAN_THROTTLE_RATES", {})).get(self.scope)

    def get_ident(self, request: Any) -> str:
        """The client's address (a configured proxy header believed, nothing else)."""
        return client_ip(request)


def allows(throttle: SimpleRateThrottle, request: Any) -> bool:
    """Count ``request`` (a DRF or a plain Django request) against ``throttle``, outside any API view."""
    return bool(throttle.allow_request(cast(Any, request), cast(Any, None)))


class UserThrottle(_SettingsRate, UserRateThrottle):
    """Signed-in users (session, Basic or token): per user."""

    scope = "user"


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    """Anonymous requests: per address."""

    scope = "anon"


class TrackThrottle(_SettingsRate, SimpleRateThrottle):
    """Public tracking by code (API and page): per address, so codes cannot be tried in bulk."""

    scope = "track"

    def get_cache_key(self, request: Any, view: Any) -> str:
        """One counter per address."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BasicThrottle(_SettingsRate, SimpleRateThrottle):
    """HTTP Basic sign-ins: per address, counted before the password is hashed."""

    scope = "basic"

    def get_cache_key(self, request: Any, view: Any) -> str:
        """One counter per address."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ThrottledBasicAuthentication(BasicAuthentication):
    """DRF's HTTP Basic, throttled per address and refusing users locked out by django-axes (429)."""

    def authenticate(self, request: Request) -> Any:
        """Throttle, then authenticate; a locked-out user answers 429 with the lock's wait."""
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("basic "):
            return None
        throttle = BasicThrottle()
        if not allows(throttle, request):
            raise exceptions.Throttled(throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut from None
            raise


class LockedOut(exceptions.Throttled):
    """Too many failed sign-ins for this user or address (django-axes)."""

    default_code = "locked-out"

    def __init__(self) -> None:
        super().__init__(wait=lock_seconds())


def lock_seconds() -> int:
    """How long a login lock lasts, in seconds."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    return int(cool_off.total_seconds()) if cool_off is not None else 3600


def throttled_message(exc: exceptions.Throttled) -> str:
    """The Chinese (translated) message of a 429."""
    if isinstance(exc, LockedOut):
        return _("Too many failed sign-ins. This account or address is locked; try again in %(minutes)d minutes.") % {
            "minutes": max(1, int(getattr(exc, "wait", 0) or 0) // 60)
        }
    return _("Too many requests. Try again in %(seconds)d seconds.") % {"seconds": int(getattr(exc, "wait", 1) or 1)}


class ThrottledBasicScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's __init_subclass__
    """The schema names the throttled Basic as plain HTTP Basic (``basicAuth``)."""

    target_class = ThrottledBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """HTTP Basic."""
        return {"type": "http", "scheme": "basic"}


class WindowRatingThrottle(_SettingsRate, SimpleRateThrottle):
    """Anonymous ratings of a window (its QR code): per address and window, so one phone cannot flood a window."""

    scope = "window_rating"

    def get_cache_key(self, request: Any, view: Any) -> str:
        """One counter per address and window (the view sets ``request.window_key``)."""
        ident = f"{self.get_ident(request)}:{getattr(request, 'window_key', '')}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
