"""Keeping the fact tables current: incremental from a watermark over the append-only audit trail.

``facts_refresh`` reads the case events after the watermark in id order, a
batch at a time, rebuilds the facts of the cases they name and moves the
watermark, all in one transaction per batch: a crash loses nothing (the batch
is read again), and a run that finds nothing new writes nothing. Every change
the statistics count writes an audit event (transitions, corrections,
supplements, signals, 督办 steps, recomputed due dates), so the trail is the
only change feed needed; the hot service paths are not touched.

The audit trail does not say when the calendar changes: entering a year's
official arrangement confirms the working days counted through it (预计 no
more) without an event on a finished case. ``provisional_facts_refresh``, run
at the end of every ``facts_refresh``, rebuilds the facts still marked
provisional once the working-day calendar has changed (the running
items' recomputed due dates are events, read as usual).

Ids are handed out before commit, so an event may become visible after a
larger id was read. The watermark therefore stops before the first event
younger than ``LIANBAN_STATS_LAG_SECONDS``: events from then on are read
again on the next run (rebuilding a case twice gives the same rows).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from lianban.cases import clock
from lianban.cases.models import CaseEvent
from lianban.statistics import cells, facts
from lianban.statistics.models import CALENDAR, EVENTS, CaseFact, ItemFact, Watermark
from lianban.workdays.services import calendar_fingerprint as workdays_fingerprint


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one run did."""

    batches: int
    events: int
    cases: int
    items: int
    watermark: int
    #: Cases whose provisional (预计) facts were rebuilt because the working-day calendar changed.
    recounted: int = 0


def facts_refresh(*, batch: int | None = None, max_batches: int | None = None) -> RefreshResult:
    """Bring the fact tables up to the audit trail (the periodic worker's job; safe to run again at any time)."""
    batch = batch or settings.LIANBAN_STATS_BATCH
    max_batches = max_batches or settings.LIANBAN_STATS_MAX_BATCHES
    lag = timedelta(seconds=settings.LIANBAN_STATS_LAG_SECONDS)
    batches = events = cases = items = 0
    cells.roll()  # a new day: the month cells take in the intervals starting today (running late from today on)
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
    recounted = provisional_facts_refresh(batch=batch, max_batches=max(max_batches - batches, 1))
    return RefreshResult(
        batches=batches, events=events, cases=cases, items=items, watermark=watermark, recounted=recounted
    )


def calendar_fingerprint() -> int:
    """A number that changes whenever the working-day calendar changes: its provisional years, a day override
    (a provisional year's days change with it), the chinesecalendar installed (``workdays.calendar_fingerprint``,
    the one the deadline sweep watches too)."""
    return zlib.crc32(workdays_fingerprint(clock.today()).encode())


def _calendar_changed_at() -> datetime:
    """When the working-day calendar was last seen to change (recorded now if they just did)."""
    fingerprint = calendar_fingerprint()
    now = clock.now()
    mark, created = Watermark.objects.get_or_create(name=CALENDAR, defaults={"last_id": fingerprint, "updated_at": now})
    if not created and mark.last_id != fingerprint:
        Watermark.objects.filter(pk=mark.pk).update(last_id=fingerprint, updated_at=now)
        return now
    return mark.updated_at or now


def provisional_facts_refresh(*, batch: int | None = None, max_batches: int | None = None) -> int:
    """Rebuild the provisional (预计) facts built before the working-day calendar last changed.

    The official arrangement of a year entered (or a newer chinesecalendar, or
    a declared year withdrawn) changes which years are provisional without any
    event on the cases' trails: a finished case's working days used, counted
    through that year, are then confirmed; a day override entered in a
    provisional year changes its working days. Each run compares the
    calendar's fingerprint with the last run's; the facts still marked
    provisional and built before the change are rebuilt, a batch of cases per
    transaction (a rebuilt fact is newer than the change, so an interrupted
    run goes on where it stopped). Returns how many cases were rebuilt.
    """
    batch = batch or settings.LIANBAN_STATS_BATCH
    max_batches = max_batches or settings.LIANBAN_STATS_MAX_BATCHES
    changed_at = _calendar_changed_at()
    rebuilt = 0
    for _round in range(max_batches):
        with transaction.atomic():
            stale = set(
                CaseFact.objects.filter(provisional=True, built_at__lt=changed_at)
                .order_by()
                .values_list("case_id", flat=True)[:batch]
            )
            if len(stale) < batch:
                stale |= set(
                    ItemFact.objects.filter(provisional=True, built_at__lt=changed_at)
                    .order_by()
                    .values_list("case_id", flat=True)
                    .distinct()[: batch - len(stale)]
                )
            if not stale:
                break
            facts.build(stale)
            rebuilt += len(stale)
    return rebuilt


def facts_rebuild() -> RefreshResult:
    """Read the whole audit trail again (after a change to how facts are computed)."""
    Watermark.objects.filter(name=EVENTS).update(last_id=0)
    return facts_refresh(max_batches=10**9)
