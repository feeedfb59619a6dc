"""Appending to the hash chains from concurrent transactions never forks a chain (real threads and commits)."""

from __future__ import annotations

import pytest

from lianban.cases import audit
from lianban.cases.events import event_record
from lianban.cases.models import CaseEvent
from lianban.intake.services import intake_check
from tests.cases.kit import FrozenClock, People, submit, submit_codes
from tests.cases.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]


def test_concurrent_checks_of_one_case_append_one_unbroken_chain(people: People, clock: FrozenClock) -> None:
    case = submit(people)
    codes = submit_codes(case)[:6]
    results = run_together(
        *[
            (lambda code=code: intake_check(actor=people.clerk, case_id=case.pk, material_code=code, result="OK"))
            for code in codes
        ]
    )
    assert [kind for kind, _ in results] == ["ok"] * len(codes), results
    seqs = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 1 + len(codes)
    assert audit.verify() == []


def test_concurrent_events_without_a_case_append_one_unbroken_chain(people: People, clock: FrozenClock) -> None:
    results = run_together(
        *[
            (lambda n=n: event_record(case=None, actor=people.supervisor, action="security.test", after={"n": n}))
            for n in range(6)
        ]
    )
    assert [kind for kind, _ in results] == ["ok"] * 6, results
    seqs = sorted(CaseEvent.objects.filter(case__isnull=True).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert audit.verify() == []
