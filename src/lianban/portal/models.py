"""Portal tables: application drafts (saved, resumable) and the files uploaded to them.

A draft is the applicant's work in progress before ``case_submit``: the
applicant they act for, the one-thing, the answers, the merged form as typed,
and one file per material to submit. Rules are in ``lianban.portal.services``;
the models hold fields and constraints only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.common.fields import EncryptedJSONField


class Draft(models.Model):
    """An application being prepared online; becomes a case when submitted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("user")
    )
    applicant = models.ForeignKey(
        "accounts.Applicant", on_delete=models.CASCADE, related_name="drafts", verbose_name=_("applicant")
    )
    thing = models.ForeignKey(
        "catalog.Thing", on_delete=models.CASCADE, related_name="drafts", verbose_name=_("one-thing")
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form = EncryptedJSONField(_("form as typed"), default=dict, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("submitted as"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "updated_at"], name="draft_user_updated")]

    def __str__(self) -> str:
        return f"{self.thing_id} draft {self.pk}"


class DraftFile(models.Model):
    """The file handed in for one material of a draft (checked like a case upload)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files", verbose_name=_("draft"))
    material_code = models.CharField(_("material code"), max_length=40)
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("draft file")
        verbose_name_plural = _("draft files")
        ordering = ["draft", "material_code"]
        constraints = [models.UniqueConstraint(fields=["draft", "material_code"], name="draftfile_material_once")]

    def __str__(self) -> str:
        return f"{self.draft_id}/{self.material_code}"
