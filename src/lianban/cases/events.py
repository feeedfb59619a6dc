"""Writing the audit trail. Every service that changes state calls ``event_record`` in its transaction."""

from __future__ import annotations

from typing import Any

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import Case, CaseEvent, ItemCase

SYSTEM_ROLE = "SYSTEM"


def event_record(
    *,
    case: Case,
    actor: User | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    item_case: ItemCase | None = None,
) -> CaseEvent:
    """Append one event: who (None = the system), in which role, what, before and after, why."""
    return CaseEvent.objects.create(
        case=case,
        item_case=item_case,
        actor=actor,
        actor_role=actor.role if actor is not None else SYSTEM_ROLE,
        at=clock.now(),
        action=action,
        before=before or {},
        after=after or {},
        reason=reason,
    )
