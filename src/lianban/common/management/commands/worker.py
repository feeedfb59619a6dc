"""``lianban worker``: run queued tasks and enqueue the periodic ones.

Start one on every machine that should run background work (see docs/worker.md).
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.exceptions import InvalidTaskBackendError
from django_tasks_db.management.commands.db_worker import valid_interval, valid_max_tasks, validate_worker_id

from lianban.common.worker import (
    DEFAULT_SCHEDULER_TICK,
    Heartbeat,
    PeriodicScheduler,
    default_worker_id,
    load_periodic_tasks,
    make_worker,
    run_worker,
)

LOGGERS = ("django_tasks", "django.tasks", "django_tasks_db", "lianban.common")


class Command(BaseCommand):
    help = (
        "Run the background worker: django-tasks-db's queue loop plus the scheduler of "
        "LIANBAN_PERIODIC_TASKS (each periodic task is enqueued once per interval, however many workers run)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Queues to process, comma-separated; '*' for all (default: %(default)r).",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait when the queue is empty (default: %(default)r).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic tasks that are due, run every ready task, then exit (for cron).",
        )
        parser.add_argument(
            "--max-tasks", type=valid_max_tasks, default=None, help="Exit after running this many tasks."
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="Unique id of this worker (default: host-pid-random).",
        )
        parser.add_argument(
            "--backend",
            dest="backend_name",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="Task backend alias (default: %(default)r).",
        )
        scheduling = parser.add_mutually_exclusive_group()
        scheduling.add_argument(
            "--no-scheduler", action="store_true", help="Only run queued tasks; do not enqueue periodic tasks."
        )
        scheduling.add_argument(
            "--scheduler-only",
            action="store_true",
            help="Only enqueue periodic tasks (with a task backend that has its own workers, e.g. Redis).",
        )
        parser.add_argument(
            "--scheduler-tick",
            type=valid_interval,
            default=DEFAULT_SCHEDULER_TICK,
            help="Seconds between two looks at the periodic tasks (default: %(default)r).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._configure_logging(options["verbosity"])
        try:
            jobs = [] if options["no_scheduler"] else load_periodic_tasks()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        scheduler = PeriodicScheduler(jobs, tick=options["scheduler_tick"]) if jobs else None

        if options["scheduler_only"]:
            self._schedule_only(scheduler, batch=options["batch"])
            return

        try:
            worker = make_worker(
                backend_name=options["backend_name"],
                queue_names=options["queue_name"].split(","),
                interval=options["interval"],
                batch=options["batch"],
                max_tasks=options["max_tasks"],
                worker_id=options["worker_id"] or default_worker_id(),
                startup_delay=not options["batch"],
            )
        except (ImproperlyConfigured, InvalidTaskBackendError) as exc:
            raise CommandError(f"{exc} (use --scheduler-only with a backend that has its own workers)") from exc

        # The lease first: the worker is known before it claims a task, and lost workers' tasks are requeued.
        heartbeat = Heartbeat(worker.worker_id)
        beating = heartbeat.start()
        try:
            if options["batch"]:
                if scheduler is not None:
                    scheduler.run_once()
                run_worker(worker)
                return

            thread = None
            if scheduler is not None:
                thread = threading.Thread(target=scheduler.run, name="lianban-scheduler", daemon=True)
                thread.start()
            worker.configure_signals()
            try:
                run_worker(worker)
            finally:
                if scheduler is not None and thread is not None:
                    scheduler.stop()
                    thread.join(options["scheduler_tick"] + 5)
        finally:
            heartbeat.stop()
            beating.join(heartbeat.every + 5)

    def _schedule_only(self, scheduler: PeriodicScheduler | None, *, batch: bool) -> None:
        if scheduler is None:
            raise CommandError("--scheduler-only: LIANBAN_PERIODIC_TASKS is empty, nothing to schedule")
        if batch:
            scheduler.run_once()
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.stop()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        scheduler.run()

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in LOGGERS:
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
