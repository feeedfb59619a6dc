"""Retention of the exports: files past LIANBAN_EXPORT_KEEP_DAYS are deleted, their rows kept as expired; an
export waiting or being written is never touched."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

import pytest

from lianban.statistics import exports
from lianban.statistics.models import Export, ExportKind, ExportState
from lianban.statistics.tasks import exports_expire as exports_expire_task
from tests.api.kit import Api
from tests.cases.kit import People

pytestmark = pytest.mark.django_db


def _export(people: People, state: str, *, age_days: float, finished: bool = True) -> Export:
    now = timezone.now()
    name = default_storage.save("exports/retention-test.xlsx", ContentFile(b"PK fake workbook"))
    return Export.objects.create(
        requested_by=people.supervisor,
        kind=ExportKind.DASHBOARD,
        params={"level": "items"},
        state=state,
        file=name,
        created_at=now - timedelta(days=age_days),
        finished_at=now - timedelta(days=age_days) if finished else None,
    )


def test_old_exports_expire_and_their_files_are_deleted(people: People, django_capture_on_commit_callbacks) -> None:
    old = _export(people, ExportState.DONE, age_days=8)
    failed = _export(people, ExportState.FAILED, age_days=30)
    fresh = _export(people, ExportState.DONE, age_days=6)
    queued = _export(people, ExportState.QUEUED, age_days=40, finished=False)
    running = _export(people, ExportState.RUNNING, age_days=40, finished=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.exports_expire() == 2
    for export in (old, failed, fresh, queued, running):
        export.refresh_from_db()
    assert (old.state, old.file.name, failed.state) == (ExportState.EXPIRED, "", ExportState.EXPIRED)
    assert (fresh.state, queued.state, running.state) == (ExportState.DONE, ExportState.QUEUED, ExportState.RUNNING)
    assert old.requested_by_id == people.supervisor.pk  # the record of who exported what stays
    stored = [e.file.name for e in (fresh, queued, running)]
    assert all(default_storage.exists(name) for name in stored)  # in use or being written: kept
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.exports_expire() == 0  # running it again changes nothing


def test_the_expired_file_is_gone_from_storage(people: People, django_capture_on_commit_callbacks) -> None:
    old = _export(people, ExportState.DONE, age_days=8)
    name = old.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        exports_expire_task.call()
    assert not default_storage.exists(name)


def test_zero_days_keeps_every_export(people: People, settings) -> None:
    settings.LIANBAN_EXPORT_KEEP_DAYS = 0
    old = _export(people, ExportState.DONE, age_days=400)
    assert exports.exports_expire() == 0
    old.refresh_from_db()
    assert old.state == ExportState.DONE


def test_an_expired_export_says_so_and_offers_no_download(
    people: People, client, django_capture_on_commit_callbacks
) -> None:
    old = _export(people, ExportState.DONE, age_days=8)
    with django_capture_on_commit_callbacks(execute=True):
        exports.exports_expire()
    client.force_login(people.supervisor)
    page = client.get(f"/work/statistics/exports/{old.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "data-expired" in body and "data-download" not in body
    assert "已过期" in body
    assert client.get(f"/work/statistics/exports/{old.pk}/file").status_code == 404
    answer = Api(people.supervisor).get(f"/api/statistics/exports/{old.pk}")
    assert answer["state"] == "EXPIRED" and answer["download"] is None
    assert exports.export_build(old.pk).state == ExportState.EXPIRED  # a late duplicate task writes nothing again


def test_the_retention_job_is_periodic() -> None:
    assert ("lianban.statistics.tasks.exports_expire", 3600) in settings.LIANBAN_PERIODIC_TASKS
    assert settings.LIANBAN_EXPORT_KEEP_DAYS == 7
