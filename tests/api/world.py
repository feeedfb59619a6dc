"""Two applicants' cases brought to a chosen stage through the services, for the table-driven API tests.

*Own* objects belong to applicant A: a hotel (KJD, lead department SCJG, an
item for every hotel department). *Other* objects belong to applicant B: a
one-item thing led by ZJ (住建), whose only item is ZJ's — so the SCJG and
GA staff of the matrix see none of B's objects, and B's user none of A's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lianban.accounts.models import Role, User
from lianban.cases.models import Case, ItemCase, ItemState, Notification
from lianban.cases.services import case_submit
from lianban.catalog.services import CatalogFile
from lianban.evaluation.models import Appeal, Rating, RectificationTicket
from lianban.evaluation.services import Given, appeal_file, case_token, rating_give
from lianban.intake.services import intake_accept, intake_check, intake_request_correction
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.licences.models import Licence
from lianban.review.services import item_case_approve, item_case_request_supplement, item_case_take
from lianban.supervision.models import SupervisionOrder
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import FrozenClock, People, full_form, import_catalog, make_user, pdf, submit, submit_codes

#: B's thing: one item of ZJ, led by ZJ.
OTHER_THING = """\
format: lianban-catalog/1
things:
  - code: ZXBA
    name: 装修工程竣工消防备案
    subject: enterprise
    lead_department: ZJ
    items:
      - {item: ZJ-XFBA}
"""

#: The stages a world can be brought to, in the order the cases go through them.
STAGES = (
    "submitted",  # every file handed in
    "checked",  # every material checked OK
    "problem",  # one material checked WRONG
    "correction",  # the correction notice was sent
    "accepted",  # the first items are dispatched
    "in_review",  # the first item was accepted by its department
    "supplement",  # … which asked for a supplement
    "ready",  # every item approved, the bill is open (A) or settled without fee (B)
    "paid",  # A's bill is paid
    "overdue",  # accepted, ten working days ago, swept
    "rated",  # issued; each applicant gave the first item a 差评, which opened a rectification ticket
    "appealed",  # rated, and the first item's department appealed each 差评 (申诉)
)


@dataclass
class World:
    """The people and both applicants' objects at one stage."""

    people: People
    clock: FrozenClock
    stage: str
    zj_clerk: User
    own: Case
    other: Case
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check(clerk: User, case: Case, wrong: str = "") -> None:
    for code in submit_codes(case):
        result, reason = ("WRONG", "不清晰") if code == wrong else ("OK", "")
        intake_check(actor=clerk, case_id=case.pk, material_code=code, result=result, reason=reason)


def _approve_everything(people: People, case: Case) -> None:
    """Approve every item of the case as it becomes ready, in plan order."""
    while True:
        open_items = [
            i
            for i in ItemCase.objects.filter(case=case).select_related("department").order_by("position")
            if i.state in (ItemState.DISPATCHED, ItemState.IN_REVIEW)
        ]
        if not open_items:
            return
        for item in open_items:
            reviewer = people.reviewer(item.department.code)
            if item.state == ItemState.DISPATCHED:
                item_case_take(actor=reviewer, item_case_id=item.pk)
            item_case_approve(actor=reviewer, item_case_id=item.pk, licence_number=f"L-{case.pk}-{item.item_code}")


def build_world(people: People, clock: FrozenClock, stage: str) -> World:
    """A's hotel and B's case, both brought to ``stage``."""
    assert stage in STAGES, stage
    import_catalog(CatalogFile("other.yaml", OTHER_THING.encode()))
    zj_clerk = make_user("clerk_zj", Role.CLERK, "ZJ")
    own = submit(people)
    other = case_submit(
        actor=people.other_user,
        applicant=people.other_applicant,
        thing_code="ZXBA",
        answers={},
        form=full_form("ZXBA", {}),
        files={code: pdf(f"{code}.pdf") for code in ("XFBAB", "JGYSBG", "JGTZ")},
    )
    pairs = ((people.clerk, own, "GSZC"), (zj_clerk, other, "XFBAB"))
    if stage in ("problem", "correction"):
        for clerk, case, wrong in pairs:
            _check(clerk, case, wrong)
            if stage == "correction":
                intake_request_correction(actor=clerk, case_id=case.pk)
    elif stage != "submitted":
        for clerk, case, _wrong in pairs:
            _check(clerk, case)
            if stage != "checked":
                intake_accept(actor=clerk, case_id=case.pk)
    firsts = (
        (people.reviewer("SCJG"), ItemCase.objects.get(case=own, item_code="SCJG-GSSL")),
        (people.reviewer("ZJ"), ItemCase.objects.get(case=other, item_code="ZJ-XFBA")),
    )
    if stage in ("in_review", "supplement"):
        for reviewer, item in firsts:
            item_case_take(actor=reviewer, item_case_id=item.pk)
            if stage == "supplement":
                item_case_request_supplement(actor=reviewer, item_case_id=item.pk, reason="请补充")
    rated = stage in ("rated", "appealed")
    if stage in ("ready", "paid") or rated:
        _approve_everything(people, own)
        _approve_everything(people, other)
        if stage == "paid" or rated:
            bill_mark_paid(actor=people.clerk, case_id=own.pk, reference="POS-1")
    if rated:
        case_issue(actor=people.clerk, case_id=own.pk, method="PICKUP")
        case_issue(actor=zj_clerk, case_id=other.pk, method="PICKUP")
        for user, case, (reviewer, item) in (
            (people.applicant_user, own, firsts[0]),
            (people.other_user, other, firsts[1]),
        ):
            rating = rating_give(
                actor=user, case_id=case.pk, item_case_id=item.pk, given=Given(level=2, indicators=["efficiency"])
            )
            if stage == "appealed":
                appeal_file(
                    actor=reviewer,
                    ticket_id=RectificationTicket.objects.get(rating=rating).pk,
                    grounds="MALICIOUS",
                    statement="恶意差评",
                    evidence=pdf(),
                )
    if stage == "overdue":
        clock.working_days(10)
        deadline_sweep()
    world = World(people=people, clock=clock, stage=stage, zj_clerk=zj_clerk, own=own, other=other)
    for side, case, applicant, item, material in (
        ("own", own, people.applicant, firsts[0][1], "GSZC"),
        ("other", other, people.other_applicant, firsts[1][1], "XFBAB"),
    ):
        licence = Licence.objects.filter(item_case=item).first()
        world.objects[side] = {
            "case": case,
            "item": item,
            "material": material,
            "applicant": applicant,
            "licence": licence,
            "notification": Notification.objects.filter(case=case).first(),
            "order": SupervisionOrder.objects.filter(item_case=item).first(),  # the red card's, when overdue
            "ticket": RectificationTicket.objects.filter(case=case).first(),  # the 差评's, when rated
            "rating": Rating.objects.filter(case=case, item_case=item).first(),
            "token": case_token(case=case, channel="LINK") if rated else None,
            "appeal": Appeal.objects.filter(case=case).first(),
        }
    return world
