"""Writes of the shared tables: periodic jobs, worker heartbeats and the recovery of lost tasks."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now

from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from lianban.common.models import PeriodicJob, WorkerHeartbeat

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


#: A task whose workers died this many times is recorded as failed instead of being run again.
MAX_LOST_ATTEMPTS = 5


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers kept dying while running it."""


def _before(now_minus: timedelta) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(Now() - Value(now_minus), output_field=DateTimeField())


def worker_heartbeat(*, worker_id: str) -> None:
    """Record that worker ``worker_id`` is alive now (the database clock, as every comparison uses)."""
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=Now()):
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(worker_id=worker_id, seen_at=Now())],
            ignore_conflicts=True,
        )


def worker_heartbeat_end(*, worker_id: str) -> None:
    """Forget a worker that stops normally (its running task, if any, was finished first)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_tasks_requeue_orphaned(*, lease: timedelta, max_attempts: int = MAX_LOST_ATTEMPTS) -> list[str]:
    """Put back on the queue the tasks left ``RUNNING`` by workers that stopped beating.

    django-tasks-db marks a task ``RUNNING`` when a worker claims it and never
    looks at it again: a worker killed mid-task (SIGKILL, OOM, power loss) would
    leave it there for ever. A ``RUNNING`` task is orphaned when it was claimed
    more than ``lease`` ago and its last worker has no heartbeat newer than
    ``lease``; it becomes ``READY`` again (its ``worker_ids`` keep the history),
    or ``FAILED`` with :class:`WorkerLost` once ``max_attempts`` workers died on it.
    Heartbeats older than the lease are deleted. Tasks therefore run at least
    once: one that was cut short runs again from the start.

    Returns:
        The ids of the tasks put back on the queue or failed.
    """
    cutoff = _before(lease)
    with transaction.atomic():
        live = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
        rows = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .only("id", "worker_ids", "task_path")
        )
        requeue: list[Any] = []
        give_up: list[Any] = []
        for row in rows:
            if row.worker_ids and row.worker_ids[-1] in live:
                continue
            (give_up if len(row.worker_ids) >= max_attempts else requeue).append(row.pk)
            logger.warning(
                "Task %s (%s) was left running by lost worker %s: %s",
                row.pk,
                row.task_path,
                row.worker_ids[-1] if row.worker_ids else "?",
                "failed" if row.pk in give_up else "back on the queue",
            )
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if requeue:
            running.filter(pk__in=requeue).update(status=TaskResultStatus.READY, started_at=None)
        if give_up:
            running.filter(pk__in=give_up).update(
                status=TaskResultStatus.FAILED,
                finished_at=Now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__qualname__}: the workers running this task stopped {max_attempts} times",
            )
        WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return [str(pk) for pk in requeue + give_up]
