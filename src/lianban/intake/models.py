"""Intake tables: one round of checks per (re)submission, ending in a decision.

A round with decision CORRECT is the consolidated correction notice
(一次性告知); ACCEPT carries the acceptance receipt; REFUSE the refusal
(不予受理); DEEMED records acceptance by operation of law.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.core import case_flow as flow


class Decision(models.TextChoices):
    """How an intake round ended."""

    ACCEPT = "ACCEPT", _("accepted")
    CORRECT = "CORRECT", _("correction notice")
    REFUSE = "REFUSE", _("refused")
    DEEMED = "DEEMED", _("accepted by operation of law")


class CheckResult(models.TextChoices):
    """The clerk's verdict on one material (mirror of ``core.case_flow.CheckResult``)."""

    OK = flow.CheckResult.OK.value, _("ok")
    MISSING = flow.CheckResult.MISSING.value, _("missing")
    WRONG = flow.CheckResult.WRONG.value, _("wrong")


class IntakeRound(models.Model):
    """One pass of the window over a (re)submitted case."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="intake_rounds", verbose_name=_("case")
    )
    number = models.PositiveIntegerField(_("round"))
    opened_at = models.DateTimeField(_("opened at"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    document = models.JSONField(
        _("notice or receipt"), default=dict, blank=True, help_text=_("The correction notice or acceptance receipt.")
    )

    class Meta:
        verbose_name = _("intake round")
        verbose_name_plural = _("intake rounds")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="intakeround_number_once"),
            models.CheckConstraint(
                condition=models.Q(decision__in=["", *Decision.values]), name="intakeround_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number} {self.decision or '…'}"


class MaterialCheck(models.Model):
    """The clerk's check of one material in one round (ok / missing / wrong, with reason)."""

    round = models.ForeignKey(IntakeRound, on_delete=models.PROTECT, related_name="checks", verbose_name=_("round"))
    material = models.ForeignKey(
        "cases.CaseMaterial", on_delete=models.PROTECT, related_name="checks", verbose_name=_("material")
    )
    result = models.CharField(_("result"), max_length=8, choices=CheckResult.choices)
    reason = models.TextField(_("reason"), blank=True)
    paper = models.BooleanField(_("paper original"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("material check")
        verbose_name_plural = _("material checks")
        ordering = ["round", "material__position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "material"], name="materialcheck_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(result__in=CheckResult.values), name="materialcheck_result_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.result}"
