"""Who may see a case's bill and issuance. Anything not allowed raises ``Http404``."""

from __future__ import annotations

from django.http import Http404

from lianban.accounts.models import Role, User
from lianban.cases.access import clerk_serves, user_acts_for_case
from lianban.issuance.models import Bill


def access_bill_for_user(user: User, case_id: int) -> Bill:
    """The bill of the case, if ``user`` may see it: the applicant, its window, supervisors.

    Raises:
        Http404: no bill (yet), or not visible to ``user``.
    """
    bill = Bill.objects.select_related("case", "case__applicant").filter(case_id=case_id).first()
    if bill is None or not user.is_active:
        raise Http404
    if user.role == Role.APPLICANT and user_acts_for_case(user, bill.case):
        return bill
    if user.role == Role.CLERK and clerk_serves(user, bill.case):
        return bill
    if user.role == Role.SUPERVISOR:
        return bill
    raise Http404
