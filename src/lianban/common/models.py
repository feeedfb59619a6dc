"""Shared tables: the periodic-job ledger of the background workers, the idempotency keys of commands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    """When a periodic task was last enqueued, by any worker on any machine.

    The schedulers of all workers claim a due job with one conditional update
    of this row, so a job is enqueued once per interval however many workers run.
    """

    name = models.CharField(_("task"), max_length=200, unique=True, help_text=_("Import path of the task."))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """The last sign of life of one running worker (``lianban worker`` or the demo's thread).

    Each worker refreshes its row every few seconds. A task left ``RUNNING`` by a
    worker whose heartbeat is older than the lease (the process was killed, the
    machine lost power) is put back on the queue by the other workers; see
    :func:`lianban.common.services.worker_tasks_requeue_orphaned`.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id


class IdempotencyKey(models.Model):
    """A request key already handled: a repeat returns the stored result without a second effect.

    Written by :func:`lianban.common.idempotency.idempotent` (and so by every ``@command``). The table keeps
    the name it had when the model lived in ``lianban.cases``.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("actor")
    )
    key = models.CharField(_("key"), max_length=100)
    operation = models.CharField(_("operation"), max_length=60)
    result = models.JSONField(_("result"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "cases_idempotencykey"
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.actor_id}:{self.key}"
