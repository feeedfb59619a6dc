"""Pieces every API module shares: the acting user, input validation, error responses, paginated lists.

The error shape is the one of ``lianban.api.exceptions``; its serializer is
the planning API's, so the schema has one ``Error`` component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.accounts.models import Role, User
from lianban.api.views.catalog import DepartmentRefSerializer, ErrorSerializer
from lianban.common.keyset import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, BadCursor, KeysetPage, keyset_page, page_size

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


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """The validated input, or a 400 with one entry per field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


#: Roles that work for the administration (not applicants, not catalog admins).
STAFF = (Role.CLERK, Role.REVIEWER, Role.SUPERVISOR)


class Page(BasePagination):
    """Keyset pagination: ``?cursor=&page_size=``; answers ``{next, previous, results}`` (no total count).

    ``next`` and ``previous`` are the URLs of the neighbouring pages (null at either end). A page costs
    the same however deep it is and however many rows the list has.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.page: KeysetPage[Any] | None = None
        self.request: Request | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        """The rows of the page the request's cursor points to (400 for a cursor this API did not write)."""
        ordering: Sequence[str] = getattr(view, "ordering", None) or queryset.query.order_by or ("pk",)
        size = page_size(request.query_params.get(self.page_size_query_param))
        try:
            self.page = keyset_page(queryset, ordering, request.query_params.get(self.cursor_query_param), size)
        except BadCursor:
            raise ValidationError({self.cursor_query_param: [_("this is not a page of this list")]}) from None
        self.request = request
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        query = self.request.query_params.copy()
        query[self.cursor_query_param] = cursor
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")

    def get_paginated_response(self, data: Any) -> Response:
        """``{next, previous, results}``."""
        page = self.page
        return Response(
            {
                "next": self._link(page.next_cursor if page else None),
                "previous": self._link(page.previous_cursor if page else None),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The page's shape in the OpenAPI schema."""
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "URL of the next page; null on the last page",
                    "example": "http://api.example.org/api/cases/?cursor=eyJ2IjpbIjIwMjUtMDMtMDMiLDQyXSwiYiI6ZmFsc2V9",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "URL of the previous page; null on the first page",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """``cursor`` and ``page_size`` in the OpenAPI schema."""
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "where the page starts: the cursor of a `next` or `previous` link (opaque)",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


class ListApi(APIView):
    """A view whose GET answers a keyset-paginated list, sorted by ``ordering`` (ending with a unique column)."""

    pagination_class = Page
    ordering: Sequence[str] = ("-id",)

    def page(
        self,
        request: Request,
        rows: QuerySet[Any],
        serializer_class: type[serializers.Serializer[Any]],
        context: Mapping[str, Any] | None = None,
    ) -> Response:
        """One page of ``rows`` rendered with ``serializer_class``."""
        paginator = self.pagination_class()
        chunk = paginator.paginate_queryset(rows, request, view=self)
        data = serializer_class(chunk, many=True, context=dict(context or {})).data
        return paginator.get_paginated_response(data)
