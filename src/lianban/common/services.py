"""Writes of the shared tables: claiming and enqueueing due periodic jobs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now

from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend

from lianban.common.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    """A django-tasks task that the workers enqueue once every ``interval``."""

    name: str
    task: Task[..., Any]
    interval: timedelta


def periodic_job_claim(*, name: str, interval: timedelta) -> bool:
    """Record that job ``name`` is enqueued now, if ``interval`` has passed since the last time.

    One conditional UPDATE, compared against the database clock (so the clocks
    of several machines do not matter): of several schedulers asking at once,
    exactly one gets True. Call it inside the transaction that enqueues the job.
    """
    PeriodicJob.objects.bulk_create([PeriodicJob(name=name)], ignore_conflicts=True)
    cutoff = ExpressionWrapper(Now() - Value(interval), output_field=DateTimeField())
    due = Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=cutoff)
    return PeriodicJob.objects.filter(due, name=name).update(last_enqueued_at=Now()) == 1


def periodic_jobs_enqueue_due(*, jobs: Sequence[PeriodicTask]) -> list[str]:
    """Enqueue every job whose interval has passed since any scheduler last enqueued it.

    With the database queue the claim and the new queue row commit together
    (both or neither); with another backend the job is enqueued once the claim
    has committed.

    Returns:
        The names of the jobs this call enqueued.
    """
    enqueued: list[str] = []
    for job in jobs:
        with transaction.atomic():
            if not periodic_job_claim(name=job.name, interval=job.interval):
                continue
            if isinstance(job.task.get_backend(), DatabaseBackend):
                job.task.enqueue()
            else:
                transaction.on_commit(job.task.enqueue)
        logger.info("Enqueued periodic task %s", job.name)
        enqueued.append(job.name)
    return enqueued
