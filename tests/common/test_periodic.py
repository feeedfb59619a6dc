"""The periodic scheduler: a due job is enqueued once per interval, however many schedulers run."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.utils import timezone

import pytest
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from lianban.common.models import PeriodicJob
from lianban.common.services import PeriodicTask, periodic_jobs_enqueue_due
from lianban.common.worker import PeriodicScheduler, load_periodic_tasks
from tests.common import tasks_for_tests as t

TICK = "tests.common.tasks_for_tests.tick"
TOCK = "tests.common.tasks_for_tests.tock"
HOUR = timedelta(hours=1)


def jobs(interval: timedelta = HOUR) -> list[PeriodicTask]:
    return [PeriodicTask(name=TICK, task=t.tick, interval=interval)]


def enqueued(path: str = TICK) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def pretend_last_enqueued(ago: timedelta, name: str = TICK) -> None:
    PeriodicJob.objects.filter(name=name).update(last_enqueued_at=timezone.now() - ago)


class TestLoading:
    def test_the_settings_entries_become_jobs(self, settings: Settings) -> None:
        settings.LIANBAN_PERIODIC_TASKS = [(TICK, 900), (TOCK, 60)]
        loaded = load_periodic_tasks()
        assert [(job.name, job.task, job.interval) for job in loaded] == [
            (TICK, t.tick, timedelta(seconds=900)),
            (TOCK, t.tock, timedelta(seconds=60)),
        ]

    def test_every_bad_entry_is_named(self) -> None:
        with pytest.raises(ImproperlyConfigured) as caught:
            load_periodic_tasks(
                [
                    ("tests.common.tasks_for_tests.missing", 60),
                    ("no.such.module.job", 60),
                    ("tests.common.tasks_for_tests.not_a_task", 60),
                    (TICK, 0),
                    (TOCK, 60),
                ]
            )
        message = str(caught.value)
        assert "tests.common.tasks_for_tests.missing: does not import" in message
        assert "no.such.module.job: does not import" in message
        assert "not_a_task: is not a django-tasks task" in message
        assert f"{TICK}: interval must be a positive number of seconds" in message
        assert TOCK not in message


@pytest.mark.django_db
class TestSchedule:
    def test_a_job_never_run_is_due_at_once_and_then_not_before_its_interval(self, database_queue: Settings) -> None:
        assert periodic_jobs_enqueue_due(jobs=jobs()) == [TICK]
        assert enqueued() == 1
        assert periodic_jobs_enqueue_due(jobs=jobs()) == []
        pretend_last_enqueued(HOUR - timedelta(minutes=1))
        assert periodic_jobs_enqueue_due(jobs=jobs()) == []
        assert enqueued() == 1
        pretend_last_enqueued(HOUR + timedelta(seconds=1))
        assert periodic_jobs_enqueue_due(jobs=jobs()) == [TICK]
        assert enqueued() == 2

    def test_each_job_keeps_its_own_interval(self, database_queue: Settings) -> None:
        both = [*jobs(), PeriodicTask(name=TOCK, task=t.tock, interval=timedelta(minutes=5))]
        assert periodic_jobs_enqueue_due(jobs=both) == [TICK, TOCK]
        pretend_last_enqueued(timedelta(minutes=6), name=TICK)
        pretend_last_enqueued(timedelta(minutes=6), name=TOCK)
        assert periodic_jobs_enqueue_due(jobs=both) == [TOCK]

    def test_the_claim_and_the_queue_row_commit_together(
        self, database_queue: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refuse(*args: object, **kwargs: object) -> None:
            raise RuntimeError("queue unavailable")

        monkeypatch.setattr(DatabaseBackend, "enqueue", refuse)
        with pytest.raises(RuntimeError, match="queue unavailable"):
            periodic_jobs_enqueue_due(jobs=jobs())
        assert not PeriodicJob.objects.filter(last_enqueued_at__isnull=False).exists()
        monkeypatch.undo()
        assert periodic_jobs_enqueue_due(jobs=jobs()) == [TICK]

    def test_with_another_backend_the_job_is_enqueued_after_commit(
        self, settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
    ) -> None:
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert periodic_jobs_enqueue_due(jobs=jobs()) == [TICK]
        assert len(callbacks) == 1
        assert [result.task.module_path for result in t.tick.get_backend().results] == [TICK]

    def test_a_scheduler_round_closes_stale_connections_and_enqueues(self, database_queue: Settings) -> None:
        scheduler = PeriodicScheduler(jobs(), tick=60)
        assert scheduler.run_once() == [TICK]
        assert scheduler.run_once() == []


def claim_concurrently(schedulers: int) -> list[list[str]]:
    """Run ``schedulers`` scheduler rounds at the same moment, each on its own connection."""
    barrier = threading.Barrier(schedulers)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            for _ in range(200):
                try:
                    results.append(periodic_jobs_enqueue_due(jobs=jobs()))
                    return
                except OperationalError as error:
                    # SQLite can answer a blocked write with "locked" (at once with a shared
                    # in-memory cache, after the busy timeout with a file); a scheduler
                    # retries at its next tick, which is what this does.
                    if "locked" not in str(error):
                        raise
                    threading.Event().wait(0.01)
            raise AssertionError("never got the database")
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
class TestSeveralSchedulers:
    def test_schedulers_racing_for_a_due_job_enqueue_it_once(self, database_queue: Settings) -> None:
        for round_number in range(1, 6):
            results = claim_concurrently(4)
            assert sorted(results) == [[], [], [], [TICK]], f"round {round_number}"
            assert enqueued() == round_number
            pretend_last_enqueued(HOUR + timedelta(seconds=1))

    def test_schedulers_racing_before_the_interval_enqueue_nothing(self, database_queue: Settings) -> None:
        periodic_jobs_enqueue_due(jobs=jobs())
        assert claim_concurrently(4) == [[], [], [], []]
        assert enqueued() == 1
