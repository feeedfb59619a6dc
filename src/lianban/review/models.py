"""Review tables: supplement requests (补正) of item cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplementRequest(models.Model):
    """A department's request for more from the applicant; the item's clock stops until it is supplied."""

    item_case = models.ForeignKey(
        "cases.ItemCase", on_delete=models.PROTECT, related_name="supplements", verbose_name=_("item case")
    )
    reason = models.TextField(_("what is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    paused_since = models.DateField(_("clock stopped on"))
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplied by"),
    )
    note = models.TextField(_("applicant's note"), blank=True)
    file = models.FileField(_("file"), max_length=300, blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    paused_days = models.PositiveIntegerField(_("paused working days"), default=0)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")
        ordering = ["item_case", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_case} 补正 {self.requested_at:%Y-%m-%d}"
