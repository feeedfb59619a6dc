"""Reporting every rating to the provincial/national 好差评 system: an adapter on an outbox of 好差评's own.

``report_queue`` runs in the rating's transaction: the adapter builds the payload (办件编号, 事项编码, the
department, the region, the channel, the level, the time) and an ``UpstreamReport`` row keeps it. A worker
(``tasks.report_ratings``) claims due rows one at a time, posts them outside any transaction (signed like the
outbox's webhooks when ``LIANBAN_RATING_UPSTREAM_SECRET`` is set; ``outbox.services.post_signed``) and
retries a refused or unanswered report with the delays of ``LIANBAN_WEBHOOK_RETRY_SECONDS``, the last one
repeating, until the upstream system accepts it (a 2xx answer). The receiver dedupes by ``id``: a report is
sent at least once.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lianban.cases.models import Case
from lianban.catalog.models import Department, Thing
from lianban.core import evaluation as rules
from lianban.evaluation.models import Rating, ReportState, UpstreamReport
from lianban.outbox.services import LEASE_MARGIN_SECONDS, post_signed

logger = logging.getLogger(__name__)

#: The payload's format, sent with every report.
FORMAT = "lianban-rating/1"


def report_payload(rating: Rating, case: Case | None) -> dict[str, Any]:
    """The adapter: what the upstream system receives for ``rating`` (nothing personal).

    ``case_number`` is the 办件编号 (the tracking code, with the item code for an item's rating), ``item_code``
    the 事项编码 (the one-thing's code for the case as a whole), ``region`` the 行政区划代码 configured. An
    anonymous rating of a window has neither (empty).
    """
    item = rating.item_case
    departments = dict(
        Department.objects.filter(pk__in={rating.department_id, rating.window_id or rating.department_id})
        .values_list("pk", "code")
        .order_by()
    )
    if case is None:
        number, code = "", ""
    elif item is None:
        number, code = case.tracking_code, Thing.objects.filter(pk=case.thing_id).values_list("code", flat=True)[0]
    else:
        number, code = f"{case.tracking_code}-{item.item_code}", item.item_code
    return {
        "id": f"rating-{rating.pk}",
        "format": FORMAT,
        "case_number": number,
        "item_code": code,
        "department": departments[rating.department_id],
        "window": departments.get(rating.window_id or 0, ""),
        "region": settings.LIANBAN_RATING_UPSTREAM_REGION,
        "kind": rating.kind,
        "channel": rating.channel,
        "level": rating.level,
        "bad": rules.is_bad(rating.level),
        "default": rating.is_default,
        "anonymous": rating.anonymous,
        "time": rating.rated_at.isoformat(),
    }


def report_queue(rating: Rating, case: Case | None) -> UpstreamReport:
    """Queue ``rating`` for the upstream system, in the rating's transaction."""
    return UpstreamReport.objects.create(
        rating=rating, payload=report_payload(rating, case), next_attempt_at=timezone.now()
    )


@dataclass(frozen=True, slots=True)
class Claimed:
    """A report a worker holds until its lease ends: what it needs to send it."""

    report_id: int
    claim: str
    msg_id: str
    body: bytes


def _lease_seconds() -> float:
    return float(settings.LIANBAN_WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN_SECONDS


def report_claim() -> Claimed | None:
    """Claim the oldest due report (None: nothing due); the attempt is counted now.

    Locked ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and committed before anything is sent; a worker killed
    while sending leaves the row to be claimed again when its lease ends.
    """
    with transaction.atomic():
        now = timezone.now()
        due = Q(state=ReportState.PENDING, next_attempt_at__lte=now) & (
            Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        )
        report = (
            UpstreamReport.objects.filter(due)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .first()
        )
        if report is None:
            return None
        claim = uuid.uuid4().hex
        report.claim, report.lease_until, report.attempts = (
            claim,
            now + timedelta(seconds=_lease_seconds()),
            report.attempts + 1,
        )
        report.save(update_fields=["claim", "lease_until", "attempts"])
        body = json.dumps(report.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        return Claimed(report.pk, claim, str(report.payload["id"]), body)


def report_send(claimed: Claimed) -> bool:
    """Send a claimed report and record the outcome (if the claim is still ours); True when accepted."""
    status, error = post_signed(
        settings.LIANBAN_RATING_UPSTREAM_URL, settings.LIANBAN_RATING_UPSTREAM_SECRET, claimed.msg_id, claimed.body
    )
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        report = (
            UpstreamReport.objects.select_for_update()
            .filter(pk=claimed.report_id, claim=claimed.claim, state=ReportState.PENDING)
            .first()
        )
        if report is None:
            return False  # the lease ended and another worker took it over
        now = timezone.now()
        report.last_status, report.last_error, report.claim, report.lease_until = status, error, "", None
        if ok:
            report.state, report.accepted_at = ReportState.ACCEPTED, now
        else:
            delay = rules.report_delay(report.attempts, settings.LIANBAN_WEBHOOK_RETRY_SECONDS)
            report.next_attempt_at = now + timedelta(seconds=delay)
            logger.info("rating report %s refused (attempt %s): %s", report.pk, report.attempts, error)
        report.save()
    return ok


def reports_run(*, budget_seconds: float = 30.0) -> int:
    """Send due reports one at a time until none is due or the budget is spent; the number accepted.

    Nothing is sent while ``LIANBAN_RATING_UPSTREAM_URL`` is empty (the reports wait).
    """
    if not settings.LIANBAN_RATING_UPSTREAM_URL:
        return 0
    deadline = time.monotonic() + budget_seconds
    accepted = 0
    while time.monotonic() < deadline:
        claimed = report_claim()
        if claimed is None:
            break
        accepted += report_send(claimed)
    return accepted
