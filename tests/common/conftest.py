"""The worker tests run on the real database queue (django-tasks-db), not the immediate backend."""

from __future__ import annotations

import pytest
from pytest_django import Settings

from tests.cases.kit import case_rows_wiped_first, catalog, clock, english, people

__all__ = ["case_rows_wiped_first", "catalog", "clock", "database_queue", "english", "people"]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings: Settings) -> Settings:
    """Switch the task backend to django-tasks-db for one test."""
    settings.TASKS = DATABASE_TASKS
    return settings
