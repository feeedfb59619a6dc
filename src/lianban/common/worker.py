"""The background worker: django-tasks-db's queue loop plus a periodic scheduler.

``lianban worker`` (the management command) runs both in one process; the demo
runs them in threads of the web process with :func:`start_worker_thread`.
The queue loop is django-tasks-db's own ``Worker`` (the one behind
``db_worker``); the scheduler enqueues the tasks of
``settings.LIANBAN_PERIODIC_TASKS``, once per interval however many workers
run (see :func:`lianban.common.services.periodic_job_claim`). A heartbeat
thread keeps each worker's lease and puts back on the queue the tasks of
workers that died mid-task (:class:`Heartbeat`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from lianban.common.services import (
    PeriodicTask,
    periodic_jobs_enqueue_due,
    worker_heartbeat,
    worker_heartbeat_end,
    worker_tasks_requeue_orphaned,
)

logger = logging.getLogger(__name__)

#: Seconds between two looks at the periodic jobs.
DEFAULT_SCHEDULER_TICK = 5.0


def load_periodic_tasks(entries: Iterable[tuple[str, int]] | None = None) -> list[PeriodicTask]:
    """Import the periodic tasks (default: ``settings.LIANBAN_PERIODIC_TASKS``).

    Raises:
        ImproperlyConfigured: listing every entry that does not import, is not a
            django-tasks task, or has an interval that is not a positive number of seconds.
    """
    if entries is None:
        entries = settings.LIANBAN_PERIODIC_TASKS
    jobs: list[PeriodicTask] = []
    problems: list[str] = []
    for path, seconds in entries:
        try:
            task = import_string(path)
        except ImportError as exc:
            problems.append(f"{path}: does not import ({exc})")
            continue
        if not isinstance(task, Task):
            problems.append(f"{path}: is not a django-tasks task (decorate it with @task())")
            continue
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
            problems.append(f"{path}: interval must be a positive number of seconds, got {seconds!r}")
            continue
        jobs.append(PeriodicTask(name=path, task=task, interval=timedelta(seconds=seconds)))
    if problems:
        raise ImproperlyConfigured("LIANBAN_PERIODIC_TASKS: " + "; ".join(problems))
    return jobs


def default_worker_id() -> str:
    """A worker id that tells where the worker runs: host, process, random suffix."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def database_backend_name(name: str = DEFAULT_TASK_BACKEND_ALIAS) -> str | None:
    """``name`` when that task backend is django-tasks-db's, else None."""
    return name if isinstance(task_backends[name], DatabaseBackend) else None


def make_worker(
    *,
    backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
    queue_names: list[str] | None = None,
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    worker_id: str | None = None,
    startup_delay: bool = False,
) -> Worker:
    """django-tasks-db's queue worker (the one ``db_worker`` runs), configured."""
    if database_backend_name(backend_name) is None:
        raise ImproperlyConfigured(f"task backend {backend_name!r} is not django_tasks_db.DatabaseBackend")
    return Worker(
        queue_names=queue_names or ["*"],
        interval=interval,
        batch=batch,
        backend_name=backend_name,
        startup_delay=startup_delay,
        max_tasks=max_tasks,
        worker_id=worker_id or default_worker_id(),
        excluded_queue_names=[],
    )


class PeriodicScheduler:
    """Every ``tick`` seconds, enqueue the periodic jobs that are due."""

    def __init__(self, jobs: list[PeriodicTask], *, tick: float = DEFAULT_SCHEDULER_TICK) -> None:
        self.jobs = jobs
        self.tick = tick
        self.stopped = threading.Event()

    def run_once(self) -> list[str]:
        """Enqueue the jobs due now; return their names."""
        return periodic_jobs_enqueue_due(jobs=self.jobs)

    def run(self) -> None:
        """Loop until :meth:`stop`; a failed round (database away…) is logged and retried."""
        logger.info("Periodic scheduler started: %s", ", ".join(job.name for job in self.jobs) or "no jobs")
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    self.run_once()
                except Exception:
                    logger.exception("Periodic scheduler round failed; retrying in %s s", self.tick)
                self.stopped.wait(self.tick)
        finally:
            connections.close_all()

    def stop(self) -> None:
        """Ask the loop to end after the current round."""
        self.stopped.set()


def worker_lease() -> timedelta:
    """How long a worker may stay silent before its running task is given to another worker."""
    return timedelta(seconds=settings.LIANBAN_WORKER_LEASE_SECONDS)


class Heartbeat:
    """A worker's lease: refresh its heartbeat and recover lost workers' tasks, several times per lease.

    :meth:`beat` once before the worker claims its first task, then :meth:`run`
    in a thread until :meth:`stop`, which forgets the worker.
    """

    def __init__(self, worker_id: str, *, lease: timedelta | None = None) -> None:
        self.worker_id = worker_id
        self.lease = lease if lease is not None else worker_lease()
        self.every = max(self.lease.total_seconds() / 4, 0.05)
        self.stopped = threading.Event()

    def beat(self) -> list[str]:
        """Refresh this worker's heartbeat, then requeue orphaned tasks; return their ids."""
        worker_heartbeat(worker_id=self.worker_id)
        return worker_tasks_requeue_orphaned(lease=self.lease)

    def run(self) -> None:
        """Beat every quarter lease until :meth:`stop`; a failed beat (database away…) is logged and retried."""
        try:
            while not self.stopped.wait(self.every):
                close_old_connections()
                try:
                    self.beat()
                except Exception:
                    logger.exception("Worker %s: heartbeat failed; retrying in %s s", self.worker_id, self.every)
            try:
                worker_heartbeat_end(worker_id=self.worker_id)
            except DatabaseError:
                logger.exception("Worker %s: could not remove its heartbeat", self.worker_id)
        finally:
            connections.close_all()

    def prime(self) -> None:
        """Beat once, before the worker claims anything; a database that is away is only logged.

        (Until the first beat lands, the worker's fresh claims are still safe: a task
        claimed less than a lease ago is never taken back.)
        """
        try:
            self.beat()
        except DatabaseError:
            logger.exception("Worker %s: first heartbeat failed; retrying in %s s", self.worker_id, self.every)

    def start(self) -> threading.Thread:
        """:meth:`prime`, then beat on in a daemon thread."""
        self.prime()
        thread = threading.Thread(target=self.run, name="lianban-heartbeat", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """End the loop; the thread then deletes this worker's heartbeat."""
        self.stopped.set()


@dataclass
class BackgroundWorker:
    """The threads started by :func:`start_worker_thread`."""

    worker: Worker | None
    scheduler: PeriodicScheduler | None
    threads: list[threading.Thread] = field(default_factory=list)
    heartbeat: Heartbeat | None = None

    def is_alive(self) -> bool:
        """True while any of the threads runs."""
        return any(thread.is_alive() for thread in self.threads)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop the loops (a running task is finished first) and wait for the threads."""
        if self.worker is not None:
            self.worker.running = False
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        for thread in self.threads:
            thread.join(timeout)


def run_worker(worker: Worker) -> None:
    """Run django-tasks-db's worker loop, restarting it when the database fails it.

    A failed task never stops the loop (the worker records it as failed); this
    covers the database itself failing, e.g. SQLite staying locked longer than
    its timeout or PostgreSQL restarting. Returns when the loop ends normally
    (``worker.running`` cleared, ``batch`` or ``max_tasks`` reached).
    """
    try:
        while True:
            try:
                worker.run()
                return
            except DatabaseError:
                if not worker.running:
                    return
                pause = max(worker.interval, 0.1)
                logger.exception("Worker %s: database error; restarting in %s s", worker.worker_id, pause)
                time.sleep(pause)
                close_old_connections()
    finally:
        connections.close_all()


def start_worker_thread(
    *,
    interval: float = 1.0,
    scheduler: bool = True,
    tick: float = DEFAULT_SCHEDULER_TICK,
    backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> BackgroundWorker:
    """Run the worker inside this process, in daemon threads (for the demo: no extra servers).

    Starts django-tasks-db's queue loop (when ``backend_name`` is the database
    backend; other backends run their tasks elsewhere, or at once) and, with
    ``scheduler``, the periodic scheduler. Periodic task paths are checked
    first: a path that does not import raises ``ImproperlyConfigured`` here.

    Returns:
        A handle whose ``stop()`` ends both loops.
    """
    jobs = load_periodic_tasks() if scheduler else []
    handle = BackgroundWorker(worker=None, scheduler=None)
    if database_backend_name(backend_name) is not None:
        handle.worker = make_worker(backend_name=backend_name, interval=interval)
        handle.heartbeat = Heartbeat(handle.worker.worker_id)
        handle.heartbeat.prime()
        handle.threads.append(threading.Thread(target=handle.heartbeat.run, name="lianban-heartbeat", daemon=True))
        handle.threads.append(
            threading.Thread(target=run_worker, args=(handle.worker,), name="lianban-worker", daemon=True)
        )
    else:
        logger.info("Task backend %r is not the database queue: no queue loop started", backend_name)
    if scheduler:
        handle.scheduler = PeriodicScheduler(jobs, tick=tick)
        handle.threads.append(threading.Thread(target=handle.scheduler.run, name="lianban-scheduler", daemon=True))
    for thread in handle.threads:
        thread.start()
    return handle
