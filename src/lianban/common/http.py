"""HTTP helpers shared by the apps: absolute URLs of the public origin, cacheability of answers."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest

#: Attribute that marks a view whose anonymous answers may be kept by caches (see ``public_answer``).
PUBLIC_ANSWER = "lianban_public_answer"
REVALIDATED_ANSWER = "lianban_revalidated_answer"

V = TypeVar("V")


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` (from ``reverse``) as an absolute URL: of ``LIANBAN_PUBLIC_URL`` when set, else of the request.

    Behind a TLS proxy the request alone may say ``http://host:8000``; printed documents and QR codes must
    carry the address people actually reach.
    """
    origin = settings.LIANBAN_PUBLIC_URL
    if origin:
        return origin + (path if path.startswith("/") else f"/{path}")
    return request.build_absolute_uri(path)


def public_answer(view: V) -> V:
    """Mark a view (function or class) whose answers hold no personal data: caches may keep them.

    Everything else is ``Cache-Control: private, no-store`` (``PrivateByDefaultMiddleware``), and so is
    every answer to a signed-in user, whose name is on every page.
    """
    setattr(view, PUBLIC_ANSWER, True)
    return view


def revalidated_answer(view: V) -> V:
    """Mark a view whose answers hold no personal data but are reached by a secret link (a tracking code).

    Its anonymous answers are ``Cache-Control: private, no-cache``: only the asker's own client keeps them,
    and it asks again each time with the answer's ETag (a 304 when nothing changed); no shared cache
    keeps them. Answers to a signed-in user stay ``private, no-store``.
    """
    setattr(view, REVALIDATED_ANSWER, True)
    return view
