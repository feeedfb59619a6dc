"""A finished (issued) hotel case for the 好差评 tests, through the services."""

from __future__ import annotations

from lianban.cases.models import Case
from lianban.issuance.services import case_issue
from tests.api.world import build_world
from tests.cases.kit import FrozenClock, People


def issued(people: People, clock: FrozenClock) -> Case:
    """Applicant A's hotel, every item approved, paid and handed out at the window (B's case ready)."""
    world = build_world(people, clock, "paid")
    case_issue(actor=people.clerk, case_id=world.own.pk, method="PICKUP")
    world.own.refresh_from_db()
    return world.own
