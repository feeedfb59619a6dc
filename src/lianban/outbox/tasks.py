"""Background job of the outbox: send the due event deliveries (periodic, see ``LIANBAN_WEBHOOK_SECONDS``)."""

from __future__ import annotations

from django_tasks import task

from lianban.outbox.services import deliveries_run


@task()
def deliver_events() -> int:
    """Send every due delivery (at most 30 s of work); the number delivered. Harmless when run by several workers."""
    return deliveries_run(budget_seconds=30.0)
