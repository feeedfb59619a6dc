"""The statistics fixture: three hotel-licence cases whose figures are computed by hand in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lianban.cases.models import Case
from lianban.review.services import item_case_request_supplement, item_case_supply, item_case_take
from lianban.statistics.selectors import Filters
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import FrozenClock, People, items, submit
from tests.supervision.test_supervision import accepted, approve

MARCH = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31), grain="day", today=date(2025, 3, 12))


@dataclass
class Fixture:
    """Case A finished (one item late), case B running late with a supplement, case C not yet accepted."""

    a: Case
    b: Case
    c: Case


def three_cases(people: People, clock: FrozenClock) -> Fixture:
    """On Monday 2025-03-03 A and B are accepted and C submitted; A's first three items are decided that day
    (GSSL due 03-04: early; HPBA promised 0 days: on time; JCXK due 03-04: early). B's GSSL asks for a supplement, handed in on 03-04 (due moves to 03-05).
    On 03-12 A's SPJY (due 03-10) is approved late after 7 working days; the sweep raises B's signals."""
    a = accepted(people)
    b = accepted(people)
    c = submit(people, thing="KFG")
    approve(people, a, "SCJG-GSSL")
    approve(people, a, "STHJ-HPBA")
    approve(people, a, "XF-JCXK")
    gssl = items(b)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, reason="补充材料")
    clock.set(date(2025, 3, 4))
    item_case_supply(actor=people.applicant_user, item_case_id=gssl.pk, note="已补")  # due 03-04 + 1: 03-05
    clock.set(date(2025, 3, 12))
    approve(people, a, "SCJG-SPJY")
    deadline_sweep()
    return Fixture(a=a, b=b, c=c)
