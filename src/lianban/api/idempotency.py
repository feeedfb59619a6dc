"""The ``Idempotency-Key`` header: a repeated command answers the first response, with one effect.

Every command endpoint passes the header to its service's ``idempotency_key``
(``lianban.common.idempotency``: one row per (user, key), written in the same
transaction as the effect). The API runs the service and renders the answer
in one transaction, and keeps the rendered answer (status and body) in that
row; a repeat — sequential or concurrent — gets the stored answer back, with
``Idempotent-Replayed: true``, even when the object changed in between. A
request that failed left no row, so its retry runs for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lianban.api.common import actor
from lianban.common.models import IdempotencyKey

T = TypeVar("T")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
#: Longest key accepted (the column's width).
MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length or 100

IDEMPOTENCY_KEY = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"A string unique to this request (at most {MAX_LENGTH} characters), e.g. a UUID. Sending the same "
        "key again (same user) returns the first response — same status, same body, header "
        "`Idempotent-Replayed: true` — without a second effect. A key already used by this user for "
        "another operation answers 409 `idempotency-key-reused`. A failed request does not use up its key."
    ),
)


def idempotency_key(request: Request) -> str | None:
    """The request's key, or None when it sent none.

    Raises:
        ValidationError: a key longer than the column.
    """
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > MAX_LENGTH:
        raise ValidationError({HEADER: [_("at most %(n)d characters") % {"n": MAX_LENGTH}]})
    return key or None


def command(
    request: Request,
    *,
    run: Callable[[str | None], T],
    render: Callable[[T], Any],
    status: int = 200,
) -> Response:
    """Run a command (``run(key)`` calls the service) and answer ``render(result)``; replay repeats."""
    key = idempotency_key(request)
    user = actor(request)
    with transaction.atomic():
        result = run(key)
        row = IdempotencyKey.objects.filter(actor=user, key=key).first() if key else None
        stored = row.result.get("response") if row is not None else None
        if stored is not None:
            return Response(stored["body"], status=stored["status"], headers={REPLAYED: "true"})
        body = json.loads(json.dumps(render(result), cls=DjangoJSONEncoder))
        if row is not None:
            row.result = {**row.result, "response": {"status": status, "body": body}}
            row.save(update_fields=["result"])
    return Response(body, status=status)
