"""The case's ``has_overdue_items`` follows its items: set by the sweep, cleared by every change that ends it.

The "overdue" filter of the case lists reads this flag through a partial index (``case_overdue_submitted``),
so it must equal, after every kind of change, what the items say.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module

from django.apps import apps

import pytest

from lianban.cases import clock as platform_clock
from lianban.cases.models import Case, DueStatus, ItemCase, ItemState
from lianban.cases.selectors import case_list_filter, overdue_item_cases
from lianban.cases.services import case_withdraw
from lianban.review.services import (
    item_case_reject,
    item_case_request_supplement,
    item_case_supply,
    item_case_take,
)
from lianban.supervision.selectors import item_case_overdue_list
from lianban.supervision.services import deadline_sweep
from lianban.workbench.selectors.supervision import overdue_list
from tests.cases.kit import FrozenClock, People, fresh, items, pdf
from tests.supervision.test_supervision import accepted, approve

pytestmark = pytest.mark.django_db

RUNNING = (ItemState.DISPATCHED, ItemState.IN_REVIEW, ItemState.SUPPLEMENT)


def truth(case: Case) -> bool:
    """What the items say: a running item overdue (the one rule: found so by the sweep, or late and ticking)."""
    return ItemCase.objects.filter(overdue_item_cases(platform_clock.today()), case=case).exists()


def flag(case: Case) -> bool:
    value = fresh(case).has_overdue_items
    assert value == truth(case)
    return value


def late_case(people: People, clock: FrozenClock) -> Case:
    """A restaurant whose food licence (SCJG-SPJY, due Mon 10 March 2025) the sweep found overdue."""
    clock.set(date(2025, 3, 3))
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    clock.set(date(2025, 3, 11))
    deadline_sweep()
    return case


def test_the_sweep_sets_the_flag_and_the_filter_finds_the_case(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    on_time = accepted(people)  # accepted on the day of the sweep
    assert flag(case) is True
    assert flag(on_time) is False
    assert list(case_list_filter(Case.objects.all(), overdue=True)) == [case]
    assert set(case_list_filter(Case.objects.all(), overdue=False)) == {on_time}


def test_approving_the_late_item_clears_the_flag(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    approve(people, case, "SCJG-SPJY")
    others = [i for i in items(case).values() if i.state in RUNNING and i.due_status == DueStatus.OVERDUE]
    assert flag(case) is bool(others)


def test_rejecting_the_late_item_clears_the_flag(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    for item in [i for i in items(case).values() if i.due_status == DueStatus.OVERDUE and i.state in RUNNING]:
        reviewer = people.reviewer(item.department.code)
        if item.state == ItemState.DISPATCHED:
            item_case_take(actor=reviewer, item_case_id=item.pk)
        item_case_reject(actor=reviewer, item_case_id=item.pk, reason="不符合条件")
    assert flag(case) is False


def test_withdrawing_the_case_clears_the_flag(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="不办了")
    assert flag(case) is False


def test_a_supplement_stops_the_clock_and_the_sweep_decides_again(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    spjy = items(case)["SCJG-SPJY"]
    reviewer = people.reviewer("SCJG")
    item_case_take(actor=reviewer, item_case_id=spjy.pk)
    item_case_request_supplement(actor=reviewer, item_case_id=spjy.pk, reason="补")
    flag(case)  # whatever it is, it equals the items
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已补", file=pdf("b.pdf"))
    deadline_sweep()
    flag(case)


def test_the_migration_marks_the_cases_already_late(people: People, clock: FrozenClock) -> None:
    case = late_case(people, clock)
    Case.objects.update(has_overdue_items=False)
    migration = import_module("lianban.cases.migrations.0008_case_has_overdue_items")
    migration.mark_cases_with_overdue_items(apps, None)
    assert fresh(case).has_overdue_items is True
    assert Case.objects.filter(has_overdue_items=True).count() == 1


def test_the_api_and_the_workbench_list_the_same_overdue_items(people: People, clock: FrozenClock) -> None:
    """One rule: the food licence due Monday is late on Tuesday with its clock running, before any sweep
    (the API's list used to wait for the sweep)."""
    clock.set(date(2025, 3, 3))
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    clock.set(date(2025, 3, 11))
    late = items(case)["SCJG-SPJY"]
    before_sweep = set(item_case_overdue_list())
    assert late in before_sweep
    assert before_sweep == set(overdue_list())
    deadline_sweep()
    assert set(item_case_overdue_list()) == set(overdue_list()) == before_sweep
    assert flag(case) is True
