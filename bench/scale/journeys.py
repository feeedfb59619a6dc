"""Template cases for the scale fill: real cases driven through the services, stopped at each step.

Each template is one case of a demo thing (real answers, a real frozen plan)
left in one state of its life: waiting at the window, first item dispatched,
first item in review, half its items approved, ready for issuance, issued.
The fill then copies every row the services wrote for a template (see
``fill.py``), so the copies are as consistent as the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bench.lifecycle.hotel import PDF
from lianban.accounts.models import Applicant, ApplicantMember, Role, User
from lianban.cases.models import Case
from lianban.cases.selectors import item_case_list
from lianban.cases.services import case_submit
from lianban.catalog.models import Department
from lianban.catalog.selectors import compiled_thing
from lianban.core.planner import plan
from lianban.demo.cases import sample_form
from lianban.intake.services import intake_accept, intake_check
from lianban.issuance.models import Bill
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.review.services import item_case_approve, item_case_take

#: (thing, answers, weight): the demo things with answers planning most of their items (about 8 items per case).
THINGS: list[tuple[str, dict[str, Any], int]] = [
    ("KJD", {"area": 600, "central_ac": True, "has_catering": True}, 6),  # 9 items
    ("KFG", {"area": 600}, 3),  # 6 items
    ("KYD", {"otc_class_b_only": False, "sells_class2_devices": True, "sells_health_food": True,
             "apply_medical_insurance": True}, 1),  # 5 items
]  # fmt: skip

#: (stop, weight in percent): where a template case stops; the weights make the fill's mix of states.
STOPS: list[tuple[str, int]] = [
    ("submitted", 4),  # the window queue
    ("dispatched", 8),  # first item waiting in its department
    ("in_review", 4),  # first item taken by a reviewer
    ("halfway", 14),  # half the items approved, the next ones running
    ("ready", 5),  # every item approved, waiting for issuance
    ("issued", 65),
]
STOP_NAMES = [name for name, _ in STOPS]


@dataclass(frozen=True)
class Staff:
    """The staff the templates (and the benchmark's requests) act as."""

    clerk: User
    supervisor: User
    reviewers: dict[str, User]  # by department code
    agent: User


def staff_create() -> Staff:
    """A window clerk (SCJG), a supervisor, one reviewer per department and an agent."""
    scjg = Department.objects.get(code="SCJG")
    reviewers = {
        d.code: User.objects.create_user(username=f"scale-reviewer-{d.code}", role=Role.REVIEWER, department=d)
        for d in Department.objects.order_by("code")
    }
    return Staff(
        clerk=User.objects.create_user(username="scale-clerk", role=Role.CLERK, department=scjg),
        supervisor=User.objects.create_user(username="scale-supervisor", role=Role.SUPERVISOR),
        reviewers=reviewers,
        agent=User.objects.create_user(username="scale-agent", role=Role.APPLICANT),
    )


def template_case(staff: Staff, *, number: int, thing: str, answers: dict[str, Any], stop: str) -> Case:
    """One case of ``thing`` through the services up to ``stop`` (one of :data:`STOP_NAMES`)."""
    applicant = Applicant.objects.create(
        kind="enterprise",
        id_number=f"TPL{number:015d}",
        name=f"模板企业{number}有限公司",
        contact_name="李四",
        contact_phone="13900000000",
        address="武汉市洪山区",
    )
    ApplicantMember.objects.create(applicant=applicant, user=staff.agent)
    planned = plan(compiled_thing(thing), answers)
    to_submit = [m.code for m in planned.materials if m.provenance == "submit"]
    files = {code: SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf") for code in to_submit}
    key = f"tpl{number}"
    case = case_submit(
        actor=staff.agent,
        applicant=applicant,
        thing_code=thing,
        answers=answers,
        form=sample_form(planned.fields),
        files=files,
        idempotency_key=f"{key}-submit",
    )
    if stop == "submitted":
        return case
    for code in to_submit:
        intake_check(actor=staff.clerk, case_id=case.pk, material_code=code, result="OK")
    intake_accept(actor=staff.clerk, case_id=case.pk, idempotency_key=f"{key}-accept")
    items = sorted(item_case_list(case), key=lambda i: (i.stage, i.position))
    to_approve = {"dispatched": 0, "in_review": 0, "halfway": len(items) // 2}.get(stop, len(items))
    for item in items[:to_approve]:
        reviewer = staff.reviewers[item.department.code]
        item_case_take(actor=reviewer, item_case_id=item.pk, idempotency_key=f"{key}-take-{item.item_code}")
        item_case_approve(
            actor=reviewer,
            item_case_id=item.pk,
            licence_number=f"{key}-{item.item_code}",
            idempotency_key=f"{key}-approve-{item.item_code}",
        )
    if stop == "in_review":
        first = items[0]
        item_case_take(actor=staff.reviewers[first.department.code], item_case_id=first.pk)
    if stop == "issued":
        if Bill.objects.filter(case=case, status="OPEN").exists():
            bill_mark_paid(actor=staff.clerk, case_id=case.pk, reference=f"{key}-pay", idempotency_key=f"{key}-pay")
        case_issue(actor=staff.clerk, case_id=case.pk, method="PICKUP", idempotency_key=f"{key}-issue")
    case.refresh_from_db()
    return case
