"""The electronic licence library (电子证照库).

Every certificate the platform knows of for an applicant: results of items
approved here land in it, and later cases of the same holder reuse them
instead of asking for them again (provenance ``licence``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Licence(models.Model):
    """A licence (证照) held by an applicant."""

    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="licences", verbose_name=_("material")
    )
    number = models.CharField(_("licence number"), max_length=100)
    holder = models.ForeignKey(
        "accounts.Applicant", on_delete=models.PROTECT, related_name="licences", verbose_name=_("holder")
    )
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="licences", verbose_name=_("issuing department")
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry."))
    item_case = models.ForeignKey(
        "cases.ItemCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("produced by item case"),
    )
    document = models.FileField(_("document"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-issued_on", "-id"]
        indexes = [
            # the lists of licences, newest first: everyone's, a holder's, a department's
            models.Index(fields=["issued_on", "id"], name="licence_issued"),
            models.Index(fields=["holder", "issued_on", "id"], name="licence_holder_issued"),
            models.Index(fields=["department", "issued_on", "id"], name="licence_department_issued"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="licence_number_once"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("issued_on")),
                name="licence_valid_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material.name} {self.number}"
