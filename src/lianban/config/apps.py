"""The third-party apps under Chinese names in the admin (their own labels are English only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class SignInLocksConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes is untyped
    """django-axes: failed sign-ins and locks."""

    verbose_name = _("Sign-in locks")


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks' database backend: the background queue."""

    verbose_name = _("Background tasks")  # type: ignore[assignment]  # a lazy string, as Django's own apps use
