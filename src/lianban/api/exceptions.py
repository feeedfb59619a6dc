"""One error shape for the whole API: ``{"code", "message", "fields"}``.

* 400 — invalid input: the serializers' problems, the answers, the form
  (``form-invalid``), an applicant's identity (``applicant-invalid``), a
  refused upload (``upload-refused``), a material or thing code that names
  nothing (``material-unknown``, ``thing-unknown``); ``fields`` maps each
  field to its problems.
* 401 — an API token that does not work (``token-invalid``: unknown, malformed,
  revoked, expired, or its account deactivated; ``lianban.api.authentication``).
* 403 — not signed in (``not_authenticated``), or the role may see the object
  but not do this (``permission_denied``, with the reason).
* 404 — no such object, or one the user may not see (``Http404`` or a
  service's ``NotVisible``): the two are never told apart, so someone else's
  case answers 404, never 403. A service's ``NotAllowed`` answers 403.
* 409 — every other domain error: the state does not allow it
  (``transition-not-allowed``), the checks do not allow acceptance
  (``intake-incomplete``, ``fields`` lists the materials), ``item-held``,
  ``bill-unsettled``, ``idempotency-key-reused``, ``calendar-not-covered``, the
  specific kinds of ``action-invalid`` (``text-required``, ``text-too-long``,
  ``choice-invalid``, ``bill-not-open``… see ``lianban.core.case_errors``)…;
  ``code`` is the domain error's stable code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lianban.api.wording import answer_text, domain_message, intake_problem_text, invalid_input_message
from lianban.catalog.wording import problem_line, translated
from lianban.common.throttling import throttled_message
from lianban.core.case_errors import ApplicantInvalid, FormInvalid, IntakeIncomplete, MaterialUnknown, UploadRefused
from lianban.core.errors import AnswersInvalid, CatalogInvalid, DomainError, NotAllowed, NotVisible, UnknownThing


def _error(code: str, message: str, fields: dict[str, list[str]], http_status: int) -> Response:
    return Response({"code": code, "message": message, "fields": fields}, status=http_status)


def _domain(exc: DomainError) -> Response:
    """The response of a domain error (400 for bad input, 409 for the rest)."""
    message = domain_message(exc)
    if isinstance(exc, AnswersInvalid):
        fields: dict[str, list[str]] = {}
        for problem in exc.problems:
            fields.setdefault(problem.question, []).append(answer_text(problem))
        return _error(exc.code, message, fields, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, FormInvalid | ApplicantInvalid):
        problems = {key: [translated(text)] for key, text in exc.problems.items()}
        return _error(exc.code, message, problems, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, UploadRefused):
        return _error(exc.code, message, {"file": [message]}, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, MaterialUnknown | UnknownThing):
        return _error(exc.code, message, {}, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntakeIncomplete):
        fields = {}
        for code, text in exc.problems:
            fields.setdefault(code, []).append(intake_problem_text(text))
        return _error(exc.code, message, fields, status.HTTP_409_CONFLICT)
    return _error(exc.code, message, {}, getattr(exc, "http_status", status.HTTP_409_CONFLICT))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain, Django and DRF errors to ``{"code", "message", "fields"}``."""
    if isinstance(exc, CatalogInvalid):
        return Response(
            {
                "code": exc.code,
                "message": _("The catalog cannot be imported: see the problems."),
                "fields": {},
                "problems": [problem_line(p) for p in exc.problems],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        return _domain(exc)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return _error("invalid", "; ".join(exc.messages), fields, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | NotVisible):
        exc = exceptions.NotFound()
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(exc.message or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc.args[0]) if exc.args else None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.Throttled):
        response.data = {"code": str(exc.default_code), "message": throttled_message(exc), "fields": {}}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": invalid_input_message(), "fields": _flatten(data, "")}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": str(code), "message": str(detail), "fields": {}}
    return response


def _flatten(data: Any, prefix: str) -> dict[str, list[str]]:
    """Nested serializer errors as ``{"checks.1.reason": [...]}``; top-level list errors under ``non_field_errors``."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            if key == "non_field_errors" and prefix:  # a nested serializer's own problem: name the serializer
                flat.update(_flatten(value, prefix))
            else:
                flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list) and any(isinstance(value, dict | list) for value in data):
        flat = {}
        for index, value in enumerate(data):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = data if isinstance(data, list) else [data]
    return {prefix or "non_field_errors": [str(message) for message in messages]} if messages else {}
