"""The worker runs queued tasks from the real database queue and records their results."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from lianban.common.models import PeriodicJob
from lianban.common.services import periodic_jobs_enqueue_due
from lianban.common.worker import load_periodic_tasks, make_worker, start_worker_thread
from tests.common import tasks_for_tests as t

pytestmark = pytest.mark.django_db
# The worker loop manages its own transactions and connections, as in production:
# tests that run it use real commits (transaction=True) instead of a wrapping transaction.
committing = pytest.mark.django_db(transaction=True)

TICK = "tests.common.tasks_for_tests.tick"


def result_of(task_result_id: str) -> DBTaskResult:
    return DBTaskResult.objects.get(id=task_result_id)


def wait_for(condition: Callable[[], bool], *, limit: float = 30.0) -> None:
    """Poll ``condition()`` until it holds (the limit only stops a broken test from hanging).

    Should SQLite answer a poll with "locked" (a shared in-memory test database
    does, at once, when another connection writes), the poll counts as "not yet".
    """
    deadline = time.monotonic() + limit
    while True:
        try:
            if condition():
                return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        assert time.monotonic() < deadline, "the background worker did not get there"
        time.sleep(0.05)


def test_a_task_enqueued_on_the_database_queue_waits_for_a_worker(database_queue: Settings) -> None:
    queued = t.add.enqueue(2, 3)
    row = result_of(queued.id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "tests.common.tasks_for_tests.add"


@committing
def test_one_batch_runs_the_task_and_records_its_result(database_queue: Settings) -> None:
    queued = t.add.enqueue(2, 3)
    failing = t.explode.enqueue()
    make_worker(batch=True).run()
    done = result_of(queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == 5
    assert done.finished_at is not None
    assert done.worker_ids
    failed = result_of(failing.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "boom" in failed.traceback
    # The public django-tasks API sees the same results.
    assert t.add.get_result(queued.id).return_value == 5


@committing
def test_the_worker_command_in_batch_mode_runs_the_queue_and_the_due_periodic_jobs(database_queue: Settings) -> None:
    database_queue.LIANBAN_PERIODIC_TASKS = [(TICK, 600)]
    queued = t.add.enqueue(20, 22)
    call_command("worker", "--batch")
    assert result_of(queued.id).return_value == 42
    ticks = DBTaskResult.objects.filter(task_path=TICK)
    assert [row.status for row in ticks] == [TaskResultStatus.SUCCESSFUL]
    assert PeriodicJob.objects.get(name=TICK).last_enqueued_at is not None
    # Not due again before its interval: a second batch enqueues nothing new.
    call_command("worker", "--batch")
    assert DBTaskResult.objects.filter(task_path=TICK).count() == 1


def test_a_periodic_path_that_does_not_import_stops_the_worker_at_start_up(database_queue: Settings) -> None:
    database_queue.LIANBAN_PERIODIC_TASKS = [(TICK, 600), ("tests.common.tasks_for_tests.missing", 60)]
    with pytest.raises(CommandError, match=r"tests\.common\.tasks_for_tests\.missing: does not import"):
        call_command("worker", "--batch")
    assert not DBTaskResult.objects.exists()


def test_the_worker_refuses_a_backend_that_is_not_the_database_queue(settings: Settings) -> None:
    settings.LIANBAN_PERIODIC_TASKS = [(TICK, 600)]
    with pytest.raises(CommandError, match=r"not django_tasks_db\.DatabaseBackend"):
        call_command("worker", "--batch")


@committing
def test_scheduler_only_enqueues_through_any_backend(settings: Settings) -> None:
    """With a backend that runs its tasks elsewhere (here: at once), only the scheduler runs."""
    settings.LIANBAN_PERIODIC_TASKS = [(TICK, 600)]
    t.TICKS.clear()
    call_command("worker", "--scheduler-only", "--batch")
    assert t.TICKS == ["tick"]
    call_command("worker", "--scheduler-only", "--batch")
    assert t.TICKS == ["tick"]


@committing
def test_the_worker_thread_runs_queued_and_periodic_tasks_until_stopped(database_queue: Settings) -> None:
    database_queue.LIANBAN_PERIODIC_TASKS = [(TICK, 600)]
    queued = t.add.enqueue(1, 2)
    handle = start_worker_thread(interval=0.05, tick=0.05)
    try:
        assert handle.is_alive()
        wait_for(lambda: result_of(queued.id).status == TaskResultStatus.SUCCESSFUL)
        wait_for(lambda: DBTaskResult.objects.filter(task_path=TICK, status=TaskResultStatus.SUCCESSFUL).exists())
    finally:
        handle.stop()
    assert not handle.is_alive()
    assert result_of(queued.id).return_value == 3


def test_the_worker_thread_checks_the_periodic_paths_first(database_queue: Settings) -> None:
    database_queue.LIANBAN_PERIODIC_TASKS = [("tests.common.tasks_for_tests.not_a_task", 60)]
    with pytest.raises(ImproperlyConfigured, match="is not a django-tasks task"):
        start_worker_thread()


@committing
def test_a_deferred_task_waits_for_its_time(database_queue: Settings) -> None:
    later = t.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1, 1)
    make_worker(batch=True).run()
    assert result_of(later.id).status == TaskResultStatus.READY


def test_admins_see_the_periodic_jobs_but_cannot_edit_them(admin_client: Client, database_queue: Settings) -> None:
    periodic_jobs_enqueue_due(jobs=load_periodic_tasks([(TICK, 600)]))
    listing = admin_client.get(reverse("admin:common_periodicjob_changelist"))
    assert listing.status_code == 200
    assert TICK in listing.content.decode()
    assert admin_client.get(reverse("admin:common_periodicjob_add")).status_code == 403
