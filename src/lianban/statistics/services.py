"""Keeping the fact tables current: incremental from a watermark over the append-only audit trail.

``facts_refresh`` reads the case events after the watermark in id order, a
batch at a time, rebuilds the facts of the cases they name and moves the
watermark, all in one transaction per batch: a crash loses nothing (the batch
is read again), and a run that finds nothing new writes nothing. Every change
the statistics count writes an audit event (transitions, corrections,
supplements, signals, 督办 steps, recomputed due dates), so the trail is the
only change feed needed; the hot service paths are not touched.

Ids are handed out before commit, so an event may become visible after a
larger id was read. The watermark therefore stops before the first event
younger than ``LIANBAN_STATS_LAG_SECONDS``: events from then on are read
again on the next run (rebuilding a case twice gives the same rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from lianban.cases import clock
from lianban.cases.models import CaseEvent
from lianban.statistics import facts
from lianban.statistics.models import EVENTS, Watermark


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one run did."""

    batches: int
    events: int
    cases: int
    items: int
    watermark: int


def facts_refresh(*, batch: int | None = None, max_batches: int | None = None) -> RefreshResult:
    """Bring the fact tables up to the audit trail (the periodic worker's job; safe to run again at any time)."""
    batch = batch or settings.LIANBAN_STATS_BATCH
    max_batches = max_batches or settings.LIANBAN_STATS_MAX_BATCHES
    lag = timedelta(seconds=settings.LIANBAN_STATS_LAG_SECONDS)
    batches = events = cases = items = 0
    Watermark.objects.get_or_create(name=EVENTS)
    watermark = 0
    while batches < max_batches:
        with transaction.atomic():
            mark = Watermark.objects.select_for_update().get(name=EVENTS)
            watermark = mark.last_id
            rows = list(
                CaseEvent.objects.filter(pk__gt=watermark).order_by("pk").values_list("pk", "case_id", "at")[:batch]
            )
            if not rows:
                break
            batches += 1
            events += len(rows)
            built_cases, built_items = facts.build({case_id for _, case_id, _ in rows if case_id is not None})
            cases += built_cases
            items += built_items
            settled = clock.now() - lag
            advanced = watermark
            for pk, _, at in rows:
                if at > settled:
                    break
                advanced = pk
            if advanced != watermark:
                mark.last_id = advanced
                mark.updated_at = clock.now()
                mark.save(update_fields=["last_id", "updated_at"])
                watermark = advanced
        if len(rows) < batch or advanced != rows[-1][0]:
            break  # caught up, or the rest is too young to pass
    return RefreshResult(batches=batches, events=events, cases=cases, items=items, watermark=watermark)


def facts_rebuild() -> RefreshResult:
    """Read the whole audit trail again (after a change to how facts are computed)."""
    Watermark.objects.filter(name=EVENTS).update(last_id=0)
    return facts_refresh(max_batches=10**9)
