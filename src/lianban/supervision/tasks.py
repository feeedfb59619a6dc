"""Background jobs of supervision: thin entry points that call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.supervision import services


@task()
def deadline_sweep() -> dict[str, object]:
    """Look at the cases due today (deadline statuses, ETAs, signals) and follow up the orders due."""
    result = services.deadline_sweep()
    return {
        "cases": result.cases,
        "changed": result.changed,
        "skipped": result.skipped,
        "signals": result.signals,
        "orders": result.orders,
        "urged": result.urged,
        "escalated": result.escalated,
    }


@task()
def provisional_dates_recompute() -> dict[str, object]:
    """Count again the provisional (预计) due dates and ETAs after the holiday arrangement changed."""
    result = services.provisional_dates_recompute()
    return {"cases": result.cases, "items": result.items, "still_provisional": result.still_provisional}
