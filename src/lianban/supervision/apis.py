"""Supervision API (督办): running item cases due soon and overdue, for supervisors.

The lists show the deadline status found by the last deadline sweep.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from lianban.accounts.models import Role
from lianban.api.common import ListApi, actor, errors, require_role
from lianban.review.apis import QueueItemSerializer
from lianban.supervision.selectors import item_case_due_soon_list, item_case_overdue_list


class DueSoonApi(ListApi):
    """Running item cases due soon, earliest due first."""

    ordering = ("due_on", "id")

    @extend_schema(
        operation_id="supervision_due_soon",
        responses={200: QueueItemSerializer(many=True), **errors(403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        require_role(actor(request), Role.SUPERVISOR)
        return self.page(request, item_case_due_soon_list().select_related("case__thing"), QueueItemSerializer)


class OverdueApi(ListApi):
    """Running item cases past their due date, earliest due first."""

    ordering = ("due_on", "id")

    @extend_schema(
        operation_id="supervision_overdue",
        responses={200: QueueItemSerializer(many=True), **errors(403)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        require_role(actor(request), Role.SUPERVISOR)
        return self.page(request, item_case_overdue_list().select_related("case__thing"), QueueItemSerializer)
