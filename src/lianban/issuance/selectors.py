"""Reads of issuance: the bill with its lines and payments."""

from __future__ import annotations

from lianban.cases.models import Case
from lianban.issuance.models import Bill, Issuance


def bill_get(case: Case) -> Bill | None:
    """The case's bill with its lines and payments, or None before the case is ready."""
    return Bill.objects.filter(case=case).prefetch_related("lines", "payments").first()


def issuance_get(case: Case) -> Issuance | None:
    """How the case's results were handed out, or None."""
    return Issuance.objects.filter(case=case).select_related("issued_by").first()
