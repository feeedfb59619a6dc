"""Unified issuance (统一出件) and the one bill (一单收费).

When a case becomes ready the engine creates its bill: one line per approved
item with the fee frozen in the plan (rejected and cancelled items are not
charged). A zero bill is settled at creation ("no fee"). Payment is recorded
through a :class:`PaymentProvider`; the one provided is "marked paid at the
window". The clerk hands out every result together, by pickup or by mail
(tracking number required), once the bill is settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import clerk_serves
from lianban.cases.events import event_record
from lianban.cases.models import Case, ItemCase, ItemState, NotificationKind
from lianban.cases.notifications import notification_create
from lianban.cases.workflow import case_move, case_touch, eta_refresh, lock_case_for_user, lock_item_cases
from lianban.common.idempotency import command
from lianban.core.case_errors import BillNotOpen, BillUnsettled, ChoiceInvalid, TextRequired
from lianban.issuance.models import Bill, BillLine, BillStatus, DeliveryMethod, Issuance, Payment


@dataclass(frozen=True, slots=True)
class PaymentConfirmation:
    """What a payment provider reports back."""

    provider: str
    reference: str
    amount: Decimal


class PaymentProvider(Protocol):
    """Collects (or confirms) the payment of a bill. An online provider can be added later."""

    name: str

    def collect(self, *, bill: Bill, actor: User, reference: str) -> PaymentConfirmation:
        """Confirm the payment of the whole bill, or raise."""
        ...


class WindowPayment:
    """Payment taken at the window: the clerk marks the bill paid with a receipt reference."""

    name = "window"

    def collect(self, *, bill: Bill, actor: User, reference: str) -> PaymentConfirmation:
        """The clerk confirms the bill was paid in full."""
        if not reference.strip():
            raise TextRequired(_("the payment reference is required"))
        return PaymentConfirmation(provider=self.name, reference=reference.strip(), amount=bill.total)


def case_ready(*, case: Case, items: Sequence[ItemCase]) -> Bill:
    """The case just became ready (review's last decision, under its lock): open its bill, tell the applicant."""
    bill = bill_create_for_case(case=case, items=items)
    notification_create(
        case=case,
        kind=NotificationKind.READY,
        message=_("Case %(code)s is ready: all results can be collected together. Amount due: %(total)s yuan.")
        % {"code": case.code_for_people, "total": bill.total},
    )
    return bill


def bill_create_for_case(*, case: Case, items: Sequence[ItemCase]) -> Bill:
    """Create the case's one bill (``case_ready``: when the case becomes ready, under its lock)."""
    approved = [item for item in items if item.state == ItemState.APPROVED]
    total = sum((Decimal(item.fee) for item in approved), Decimal("0"))
    moment = clock.now()
    free = total == 0
    bill = Bill.objects.create(
        case=case,
        total=total,
        status=BillStatus.NO_FEE if free else BillStatus.OPEN,
        created_at=moment,
        settled_at=moment if free else None,
    )
    BillLine.objects.bulk_create(
        BillLine(bill=bill, item_case=item, item_code=item.item_code, item_name=item.item_name, amount=item.fee)
        for item in approved
    )
    event_record(
        case=case,
        actor=None,
        action="bill.created",
        after={
            "total": str(total),
            "status": bill.status,
            "lines": [{"item": i.item_code, "amount": str(i.fee)} for i in approved],
        },
    )
    return bill


@command(operation="bill.pay", model=Bill)
def bill_mark_paid(
    *,
    actor: User,
    case_id: int,
    reference: str,
    provider: PaymentProvider | None = None,
    idempotency_key: str | None = None,
) -> Bill:
    """Record the payment of the case's bill (by default: marked paid at the window).

    Raises:
        Http404, PermissionDenied, ActionInvalid (no bill yet, nothing to pay, already settled, no reference).
    """
    case = lock_case_for_user(actor, case_id)
    if not clerk_serves(actor, case):
        raise PermissionDenied(_("payments are recorded at the window"))
    bill = Bill.objects.select_for_update().filter(case=case).first()
    if bill is None:
        raise BillNotOpen(_("the case has no bill yet"))
    if bill.status == BillStatus.NO_FEE:
        raise BillNotOpen(_("there is nothing to pay: every item of this case is free of charge"))
    if bill.status != BillStatus.OPEN:
        raise BillNotOpen(_("the bill is already settled"))
    confirmation = (provider or WindowPayment()).collect(bill=bill, actor=actor, reference=reference)
    moment = clock.now()
    Payment.objects.create(
        bill=bill,
        provider=confirmation.provider,
        reference=confirmation.reference,
        amount=confirmation.amount,
        recorded_by=actor,
        recorded_at=moment,
    )
    bill.status = BillStatus.PAID
    bill.settled_at = moment
    bill.save(update_fields=["status", "settled_at"])
    event_record(
        case=case,
        actor=actor,
        action="bill.paid",
        before={"status": BillStatus.OPEN},
        after={"status": bill.status, "provider": confirmation.provider, "reference": confirmation.reference},
    )
    case_touch(case)
    return bill


@command(operation="case.issue", model=Issuance)
def case_issue(
    *, actor: User, case_id: int, method: str, tracking_number: str = "", idempotency_key: str | None = None
) -> Issuance:
    """Hand out every result of a ready case together, once its bill is settled.

    Raises:
        Http404, PermissionDenied, TransitionRefused (not ready), BillUnsettled,
        ActionInvalid (unknown method, mail without a tracking number).
    """
    case = lock_case_for_user(actor, case_id)
    if not clerk_serves(actor, case):
        raise PermissionDenied(_("results are issued at the window"))
    if method not in DeliveryMethod.values:
        raise ChoiceInvalid(_("deliver by PICKUP or MAIL"))
    tracking_number = tracking_number.strip()
    if method == DeliveryMethod.MAIL and not tracking_number:
        raise TextRequired(_("a mail tracking number is required"))
    items = lock_item_cases(case)
    bill = Bill.objects.filter(case=case).first()
    if case.state == "READY" and (bill is None or bill.settled_at is None):
        raise BillUnsettled(_("the bill of %(total)s yuan is not paid") % {"total": bill.total if bill else "?"})
    documents = [
        {
            "item": item.item_code,
            "name": item.item_name,
            "state": item.state,
            "licence_number": item.licence_number,
            "valid_until": item.valid_until.isoformat() if item.valid_until else None,
            "reason": item.reason,
        }
        for item in items
        if item.state in (ItemState.APPROVED, ItemState.REJECTED)
    ]
    moment = clock.now()
    case_move(
        case,
        "issue",
        actor=actor,
        action="case.issued",
        fields={"closed_at": moment},
        after={"method": method, "tracking_number": tracking_number},
    )
    issuance = Issuance.objects.create(
        case=case,
        method=method,
        tracking_number=tracking_number if method == DeliveryMethod.MAIL else "",
        documents=documents,
        issued_by=actor,
        issued_at=moment,
    )
    notification_create(
        case=case,
        kind=NotificationKind.ISSUED,
        message=(
            _("The results of %(code)s were sent by mail, tracking number %(number)s.")
            % {"code": case.code_for_people, "number": tracking_number}
            if method == DeliveryMethod.MAIL
            else _("The results of %(code)s were handed out at the window.") % {"code": case.code_for_people}
        ),
    )
    eta_refresh(case, items)
    return issuance
