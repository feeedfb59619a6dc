"""One bill (一单收费) and unified issuance (统一出件)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404

import pytest

from lianban.accounts.models import User
from lianban.cases.models import Case, CaseState, ItemState
from lianban.core.case_errors import ActionInvalid, BillUnsettled, TransitionRefused
from lianban.intake.services import intake_accept
from lianban.issuance.models import Bill, BillStatus, Issuance, Payment
from lianban.issuance.selectors import bill_get, issuance_get
from lianban.issuance.services import PaymentConfirmation, bill_mark_paid, case_issue
from lianban.review.services import item_case_approve, item_case_reject, item_case_take
from tests.cases.kit import FrozenClock, People, check_all, fresh, items, submit

pytestmark = pytest.mark.django_db


def finish(people: People, case: Case, reject: tuple[str, ...] = ()) -> Case:
    while True:
        open_items = [i for i in items(case).values() if i.state in (ItemState.DISPATCHED, ItemState.IN_REVIEW)]
        if not open_items:
            return fresh(case)
        for item in open_items:
            reviewer = people.reviewer(item.department.code)
            if item.state == ItemState.DISPATCHED:
                item_case_take(actor=reviewer, item_case_id=item.pk)
            if item.item_code in reject:
                item_case_reject(actor=reviewer, item_case_id=item.pk, reason="不予许可")
            else:
                item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"N-{item.item_code}-{case.pk}")


def ready_case(people: People, *, thing: str = "KJD", reject: tuple[str, ...] = ()) -> Case:
    case = submit(people, thing=thing)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    return finish(people, case, reject)


def test_a_zero_bill_is_settled_at_creation(people: People, clock: FrozenClock) -> None:
    case = ready_case(people, thing="KFG")
    bill = bill_get(case)
    assert bill is not None
    assert bill.total == 0
    assert bill.status == BillStatus.NO_FEE
    assert bill.settled_at is not None
    with pytest.raises(ActionInvalid, match="nothing to pay"):
        bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="R")
    assert not Payment.objects.filter(bill=bill).exists()
    issuance = case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    assert issuance.method == "PICKUP"
    assert issuance.tracking_number == ""
    assert fresh(case).state == CaseState.ISSUED
    assert issuance_get(case) == issuance


def test_the_bill_has_a_line_per_approved_item_and_skips_rejected_ones(people: People, clock: FrozenClock) -> None:
    case = ready_case(people, reject=("CG-HWGG",))
    bill = bill_get(case)
    assert bill is not None
    assert bill.total == Decimal("20.00")
    assert "CG-HWGG" not in [line.item_code for line in bill.lines.all()]
    assert case.outcome == "PARTLY_APPROVED"
    event = case.events.get(action="bill.created")
    assert event.after["total"] == "20.00"


def test_issuance_needs_a_paid_bill_and_mail_needs_a_tracking_number(people: People, clock: FrozenClock) -> None:
    case = ready_case(people)
    with pytest.raises(BillUnsettled):
        case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    with pytest.raises(ActionInvalid):
        bill_mark_paid(actor=people.clerk, case_id=case.pk, reference=" ")
    with pytest.raises(PermissionDenied):
        bill_mark_paid(actor=people.supervisor, case_id=case.pk, reference="R")
    with pytest.raises(Http404):
        bill_mark_paid(actor=people.other_clerk, case_id=case.pk, reference="R")
    bill = bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="POS-1")
    assert bill.status == BillStatus.PAID
    payment = Payment.objects.get(bill=bill)
    assert (payment.provider, payment.reference, payment.amount) == ("window", "POS-1", Decimal("70.00"))
    assert payment.recorded_by == people.clerk
    with pytest.raises(ActionInvalid):
        bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="POS-2")
    with pytest.raises(ActionInvalid):
        case_issue(actor=people.clerk, case_id=case.pk, method="MAIL")
    with pytest.raises(ActionInvalid):
        case_issue(actor=people.clerk, case_id=case.pk, method="DRONE")
    with pytest.raises(PermissionDenied):
        case_issue(actor=people.applicant_user, case_id=case.pk, method="PICKUP")
    issuance = case_issue(actor=people.window, case_id=case.pk, method="MAIL", tracking_number=" EMS123 ")
    assert issuance.tracking_number == "EMS123"
    assert issuance.issued_by == people.window
    assert {d["item"] for d in issuance.documents} == set(items(case))
    with pytest.raises(TransitionRefused):
        case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    assert Issuance.objects.count() == 1


def test_nothing_is_issued_before_the_case_is_ready(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    with pytest.raises(TransitionRefused):
        case_issue(actor=people.clerk, case_id=case.pk, method="PICKUP")
    with pytest.raises(ActionInvalid):
        bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="R")


class OnlineGateway:
    """A payment provider plugged in through the protocol."""

    name = "gateway"

    def collect(self, *, bill: Bill, actor: User, reference: str) -> PaymentConfirmation:
        return PaymentConfirmation(provider=self.name, reference=f"GW-{reference}", amount=bill.total)


def test_a_payment_provider_can_be_plugged_in(people: People, clock: FrozenClock) -> None:
    case = ready_case(people)
    bill_mark_paid(actor=people.clerk, case_id=case.pk, reference="42", provider=OnlineGateway())
    payment = Payment.objects.get()
    assert (payment.provider, payment.reference) == ("gateway", "GW-42")
    assert case.events.get(action="bill.paid").after["provider"] == "gateway"
