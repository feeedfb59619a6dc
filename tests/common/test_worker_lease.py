"""A task left RUNNING by a worker that died mid-task goes back on the queue; a live worker's task does not."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from lianban.common.models import WorkerHeartbeat
from lianban.common.services import (
    MAX_LOST_ATTEMPTS,
    WorkerLost,
    worker_heartbeat,
    worker_heartbeat_end,
    worker_tasks_requeue_orphaned,
)
from lianban.common.worker import Heartbeat, make_worker, start_worker_thread
from tests.common import tasks_for_tests as t

pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)

LEASE = timedelta(seconds=60)
LONG_AGO = timedelta(minutes=10)


def claimed_by(worker_id: str, *, ago: timedelta = LONG_AGO, history: tuple[str, ...] = ()) -> DBTaskResult:
    """A queued ``add(2, 3)`` claimed by ``worker_id`` ``ago`` (after ``history``'s workers), as a worker leaves it."""
    queued = t.add.enqueue(2, 3)
    row = DBTaskResult.objects.get(id=queued.id)
    row.worker_ids = list(history)
    row.claim(worker_id)
    DBTaskResult.objects.filter(id=row.id).update(started_at=timezone.now() - ago)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    return row


def last_seen(worker_id: str, ago: timedelta) -> None:
    worker_heartbeat(worker_id=worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=timezone.now() - ago)


def test_a_task_of_a_worker_that_never_beat_goes_back_on_the_queue(database_queue: Settings) -> None:
    row = claimed_by("killed-worker")
    assert worker_tasks_requeue_orphaned(lease=LEASE) == [str(row.id)]
    row.refresh_from_db()
    assert (row.status, row.started_at, row.worker_ids) == (TaskResultStatus.READY, None, ["killed-worker"])
    assert worker_tasks_requeue_orphaned(lease=LEASE) == []


def test_a_task_of_a_worker_whose_heartbeat_is_older_than_the_lease_goes_back(database_queue: Settings) -> None:
    row = claimed_by("silent-worker")
    last_seen("silent-worker", LEASE + timedelta(seconds=5))
    assert worker_tasks_requeue_orphaned(lease=LEASE) == [str(row.id)]
    assert DBTaskResult.objects.get(id=row.id).status == TaskResultStatus.READY
    # The dead worker's heartbeat is gone with it.
    assert not WorkerHeartbeat.objects.filter(worker_id="silent-worker").exists()


def test_a_live_workers_long_task_is_left_alone(database_queue: Settings) -> None:
    row = claimed_by("live-worker")
    last_seen("live-worker", timedelta(seconds=5))
    assert worker_tasks_requeue_orphaned(lease=LEASE) == []
    assert DBTaskResult.objects.get(id=row.id).status == TaskResultStatus.RUNNING
    assert WorkerHeartbeat.objects.filter(worker_id="live-worker").exists()


def test_only_the_last_worker_of_a_task_counts(database_queue: Settings) -> None:
    worker_heartbeat(worker_id="earlier-worker")
    row = claimed_by("later-worker", history=("earlier-worker",))
    assert worker_tasks_requeue_orphaned(lease=LEASE) == [str(row.id)]


def test_a_task_claimed_less_than_a_lease_ago_is_left_alone(database_queue: Settings) -> None:
    # A worker that claimed it a moment ago may not have beaten yet (or runs an older release).
    row = claimed_by("new-worker", ago=timedelta(seconds=1))
    assert worker_tasks_requeue_orphaned(lease=LEASE) == []
    assert DBTaskResult.objects.get(id=row.id).status == TaskResultStatus.RUNNING


def test_finished_and_queued_tasks_are_never_touched(database_queue: Settings) -> None:
    queued = t.add.enqueue(1, 1)
    done = claimed_by("gone-worker")
    DBTaskResult.objects.filter(id=done.id).update(status=TaskResultStatus.SUCCESSFUL)
    assert worker_tasks_requeue_orphaned(lease=LEASE) == []
    assert DBTaskResult.objects.get(id=queued.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(id=done.id).status == TaskResultStatus.SUCCESSFUL


def test_a_task_that_keeps_killing_its_workers_is_failed_at_last(database_queue: Settings) -> None:
    history = tuple(f"w{n}" for n in range(MAX_LOST_ATTEMPTS - 1))
    row = claimed_by("w-last", history=history)
    assert worker_tasks_requeue_orphaned(lease=LEASE) == [str(row.id)]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    errors = t.add.get_result(str(row.id)).errors
    assert [e.exception_class_path for e in errors] == [f"{WorkerLost.__module__}.WorkerLost"]


def test_heartbeats_are_kept_and_forgotten(database_queue: Settings) -> None:
    worker_heartbeat(worker_id="a")
    first = WorkerHeartbeat.objects.get(worker_id="a").seen_at
    WorkerHeartbeat.objects.filter(worker_id="a").update(seen_at=first - LONG_AGO)
    worker_heartbeat(worker_id="a")
    assert WorkerHeartbeat.objects.get(worker_id="a").seen_at >= first
    assert WorkerHeartbeat.objects.count() == 1
    worker_heartbeat_end(worker_id="a")
    assert not WorkerHeartbeat.objects.exists()


@committing
def test_a_worker_runs_a_lost_task_again_from_the_start(database_queue: Settings) -> None:
    row = claimed_by("killed-worker")
    worker = make_worker(batch=True)
    heartbeat = Heartbeat(worker.worker_id, lease=LEASE)
    assert heartbeat.beat() == [str(row.id)]
    worker.run()
    row.refresh_from_db()
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert row.worker_ids == ["killed-worker", worker.worker_id]


@committing
def test_the_worker_command_recovers_lost_tasks_and_forgets_itself_when_done(database_queue: Settings) -> None:
    row = claimed_by("killed-worker")
    call_command("worker", "--batch", "--no-scheduler")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2
    assert not WorkerHeartbeat.objects.exists()


@committing
def test_the_worker_thread_keeps_a_heartbeat_while_it_runs(database_queue: Settings) -> None:
    handle = start_worker_thread(scheduler=False)
    try:
        assert handle.heartbeat is not None
        assert WorkerHeartbeat.objects.filter(worker_id=handle.heartbeat.worker_id).exists()
    finally:
        handle.stop()
    assert not handle.is_alive()
    assert not WorkerHeartbeat.objects.exists()


def test_admins_see_the_workers_heartbeats_but_cannot_edit_them(admin_client: Client) -> None:
    worker_heartbeat(worker_id="web3-4242-abcdefgh")
    listing = admin_client.get(reverse("admin:common_workerheartbeat_changelist"))
    assert listing.status_code == 200
    assert "web3-4242-abcdefgh" in listing.content.decode()
    assert admin_client.get(reverse("admin:common_workerheartbeat_add")).status_code == 403
    row = WorkerHeartbeat.objects.get()
    page = admin_client.post(
        reverse("admin:common_workerheartbeat_change", args=[row.pk]), {"worker_id": "x", "seen_at": "2020-01-01"}
    )
    assert page.status_code == 403
    assert WorkerHeartbeat.objects.get().worker_id == "web3-4242-abcdefgh"


def test_a_first_heartbeat_without_a_database_does_not_stop_the_worker(
    database_queue: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def database_away(**kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("lianban.common.worker.worker_heartbeat", database_away)
    Heartbeat("starting-worker", lease=LEASE).prime()
    assert "first heartbeat failed" in caplog.text
    assert not WorkerHeartbeat.objects.exists()
