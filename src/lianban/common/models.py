"""Shared tables: the periodic-job ledger of the background workers."""

from __future__ import annotations

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
