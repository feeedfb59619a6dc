"""Pieces every API module shares: the acting user, input validation, error responses, paginated lists.

The error shape is the one of ``lianban.api.exceptions``; its serializer is
the planning API's, so the schema has one ``Error`` component.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role, User
from lianban.catalog.apis import DepartmentRefSerializer, ErrorSerializer

__all__ = [
    "DepartmentRefSerializer",
    "ErrorSerializer",
    "ListApi",
    "Page",
    "actor",
    "errors",
    "require_role",
    "validated",
]

_ERROR_TEXT = {
    400: "invalid input: `fields` maps each field to its problems",
    403: "not signed in, or the role may see the object but not do this",
    404: "no such object, or not visible to this user",
    409: "the object's state does not allow it; `code` is the domain error's stable code",
    429: "too many requests from this client (or too many failed sign-ins): wait `Retry-After` seconds",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error responses an operation can give (all in the one error shape)."""
    return {status: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[status]) for status in statuses}


def actor(request: Request) -> User:
    """The signed-in user making the request.

    Raises:
        NotAuthenticated: an anonymous request reached a view that needs a user.
    """
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def require_role(user: User, *roles: str) -> None:
    """Refuse (403) a user whose role may not use this endpoint at all."""
    if user.role not in roles:
        raise PermissionDenied(_("this is not available to your role"))


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated input, or a 400 with one entry per field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


#: Roles that work for the administration (not applicants, not catalog admins).
STAFF = (Role.CLERK, Role.REVIEWER, Role.SUPERVISOR)


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; answers ``{count, next, previous, results}``."""

    default_limit = 50
    max_limit = 500


class ListApi(APIView):
    """A view whose GET answers a paginated list."""

    pagination_class = Page

    def page(
        self,
        request: Request,
        rows: QuerySet[Any] | list[Any],
        serializer_class: type[serializers.Serializer],
        context: Mapping[str, Any] | None = None,
    ) -> Response:
        """One page of ``rows`` rendered with ``serializer_class``."""
        paginator = self.pagination_class()
        chunk: Iterable[Model] = paginator.paginate_queryset(rows, request, view=self) or []
        data = serializer_class(chunk, many=True, context=dict(context or {})).data
        return paginator.get_paginated_response(data)
