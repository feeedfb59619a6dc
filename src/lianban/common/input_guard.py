"""Refuse input no part of lianban can store or print: NUL bytes and lone surrogates.

PostgreSQL refuses NUL in text (a 500 if it gets that far); SQLite stores a
lone surrogate and every later read of the row fails to encode it. Neither has
a meaning in a form, a URL or a name, so :class:`InputGuardMiddleware` answers
400 before any view, session or authentication backend sees the request: the
path, the query string, the form fields (names and values), the uploaded files'
names, every header (cookies included) and the user name and password of HTTP
Basic. JSON bodies are checked by the API's parser
(:class:`lianban.api.parsers.BoundedJSONParser`), which also limits their size
and depth.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("lianban.security")

#: A NUL, or a UTF-16 surrogate code point standing alone in a Python string.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def is_clean(text: str) -> bool:
    """True when ``text`` has no NUL byte and no lone surrogate."""
    return FORBIDDEN.search(text) is None


class InputRefused(ValueError):
    """A part of the request carries a NUL byte or a lone surrogate."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _check(where: str, texts: Iterable[str]) -> None:
    for text in texts:
        if isinstance(text, str) and not is_clean(text):
            raise InputRefused(where)


def basic_credentials(header: str) -> list[str]:
    """The user name and password of an HTTP Basic ``Authorization`` header (empty when it is not Basic)."""
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return []
    try:
        raw = base64.b64decode(token.strip(), validate=False)
    except (binascii.Error, ValueError):
        return []
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    return decoded.split(":", 1)


def check_request(request: HttpRequest) -> None:
    """Raise :class:`InputRefused` naming the first part of ``request`` that carries forbidden characters."""
    _check("path", [request.path, request.path_info])
    _check("query", [request.META.get("QUERY_STRING", "")])
    for key, values in request.GET.lists():
        _check("query", [key, *values])
    headers = {key: value for key, value in request.META.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if key in request.META:
            headers[key] = request.META[key]
    for key, value in headers.items():
        _check("header", [key, str(value)])
    _check("authorization", basic_credentials(str(request.META.get("HTTP_AUTHORIZATION", ""))))
    if request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        for key, values in request.POST.lists():
            _check("form", [key, *values])
        for key, files in request.FILES.lists():
            _check("file name", [key, *(f.name or "" for f in files)])


def refusal(request: HttpRequest, where: str) -> HttpResponse:
    """The 400 answer: the API's error shape under ``/api/``, the site's 400 page elsewhere."""
    message = _("The request contains characters that are not allowed (a NUL byte or an invalid character).")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "input-refused", "message": message, "fields": {where: [message]}}, status=400)
    body = loader.render_to_string("400.html", {"message": message}, request)
    return HttpResponse(body, status=400)


class InputGuardMiddleware:
    """Answer 400 to a request carrying a NUL byte or a lone surrogate anywhere it can be read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            check_request(request)
        except InputRefused as exc:
            logger.warning("input refused: forbidden character in the %s of %s", exc.where, request.path_info[:200])
            return refusal(request, exc.where)
        return self.get_response(request)
