"""Background jobs of the statistics: thin entry points that call a service."""

from __future__ import annotations

from django_tasks import task

from lianban.statistics import services


@task()
def facts_refresh() -> dict[str, object]:
    """Bring the statistics' fact tables up to the audit trail (incremental from the watermark)."""
    result = services.facts_refresh()
    return {
        "batches": result.batches,
        "events": result.events,
        "cases": result.cases,
        "items": result.items,
        "watermark": result.watermark,
    }
