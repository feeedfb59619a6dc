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


@task()
def export_build(export_id: int) -> dict[str, object]:
    """Write an xlsx export of the statistics (streamed, with progress)."""
    from lianban.statistics import exports

    export = exports.export_build(export_id)
    return {"export": export.pk, "state": export.state, "rows": export.rows_done}


@task()
def exports_expire() -> dict[str, object]:
    """Delete the export files past ``LIANBAN_EXPORT_KEEP_DAYS`` (their rows stay, marked expired)."""
    from lianban.statistics import exports

    return {"expired": exports.exports_expire()}
