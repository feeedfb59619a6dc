"""Helpers shared by the applicant pages: who may open them, JSON for scripts, idempotency keys, files."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render

from lianban.accounts.models import Role, User

View = Callable[..., HttpResponseBase]


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user (the views are behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def applicant_page(view: View) -> View:
    """Only for applicant accounts: others are told so (403), anonymous visitors are sent to log in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = signed_in_user(request)
        if user.role != Role.APPLICANT:
            return render(request, "portal/applicant_only.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked (uploads with progress, autosave); plain forms get HTML."""
    return request.headers.get("Accept", "").startswith("application/json")


def new_key() -> str:
    """An idempotency key for a form being rendered: one effect however often it is sent."""
    return str(uuid.uuid4())


def posted_key(request: HttpRequest) -> str | None:
    """The idempotency key a form sent back (None without one)."""
    key = request.POST.get("idempotency_key", "").strip()
    return key[:100] or None


def stored_file(field: FieldFile | str, *, filename: str, content_type: str) -> FileResponse:
    """A stored upload, shown in the browser (PDF, images) with its original name."""
    name = field if isinstance(field, str) else field.name
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, filename=filename or name.rsplit("/", 1)[-1], content_type=content_type or None)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
