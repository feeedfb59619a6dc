"""Writing the audit trail. Every service that changes state calls ``event_record`` in its transaction."""

from __future__ import annotations

from typing import Any

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.models import Case, CaseEvent, ItemCase
from lianban.common.hooks import Hook

SYSTEM_ROLE = "SYSTEM"


#: Called with every event recorded, in its transaction (the outbox registers its publication).
EVENT_RECORDED: Hook[[CaseEvent], object] = Hook("event recorded")


def event_record(
    *,
    case: Case | None,
    actor: User | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    item_case: ItemCase | None = None,
) -> CaseEvent:
    """Append one event: who (None = the system), in which role, what, before and after, why.

    The event is linked into the SM3 hash chain of its case (``case=None``:
    the chain of events without a case). Call it with the case row locked
    (``workflow.lock_case``), as every service does.
    """
    event = CaseEvent(
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
    event.save(force_insert=True)
    EVENT_RECORDED(event)  # the outbox's public event and deliveries commit with the change, or not at all
    return event
