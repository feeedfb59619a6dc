"""Issuance tables: one bill per case (一单收费), payments, and the unified issuance (统一出件)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BillStatus(models.TextChoices):
    """Where a bill stands."""

    OPEN = "OPEN", _("to be paid")
    PAID = "PAID", _("paid")
    NO_FEE = "NO_FEE", _("no fee")


class Bill(models.Model):
    """The one payable of a case: a line per approved item with a fee."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="bill", verbose_name=_("case"))
    total = models.DecimalField(_("total (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=8, choices=BillStatus.choices)
    created_at = models.DateTimeField(_("created at"))
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=BillStatus.values), name="bill_status_valid"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="bill_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.case} ¥{self.total}"


class BillLine(models.Model):
    """One item's fee on the bill (taken from the frozen plan)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines", verbose_name=_("bill"))
    item_case = models.ForeignKey(
        "cases.ItemCase", on_delete=models.PROTECT, related_name="bill_lines", verbose_name=_("item case")
    )
    item_code = models.CharField(_("item code"), max_length=40)
    item_name = models.CharField(_("item name"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        ordering = ["bill", "id"]
        constraints = [models.UniqueConstraint(fields=["bill", "item_case"], name="billline_item_once")]

    def __str__(self) -> str:
        return f"{self.item_code} ¥{self.amount}"


class Payment(models.Model):
    """A payment recorded against a bill, through a payment provider."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments", verbose_name=_("bill"))
    provider = models.CharField(_("provider"), max_length=40)
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["bill", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference}"


class DeliveryMethod(models.TextChoices):
    """How the results are handed out."""

    PICKUP = "PICKUP", _("picked up at the window")
    MAIL = "MAIL", _("sent by mail")


class Issuance(models.Model):
    """All results of a case handed out together (统一出件)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="issuance", verbose_name=_("case"))
    method = models.CharField(_("method"), max_length=8, choices=DeliveryMethod.choices)
    tracking_number = models.CharField(_("mail tracking number"), max_length=60, blank=True)
    documents = models.JSONField(_("documents handed out"), default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("issuance")
        verbose_name_plural = _("issuances")
        constraints = [
            models.CheckConstraint(condition=models.Q(method__in=DeliveryMethod.values), name="issuance_method_valid"),
            models.CheckConstraint(
                condition=~models.Q(method="MAIL") | ~models.Q(tracking_number=""), name="issuance_mail_has_tracking"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.method}"
