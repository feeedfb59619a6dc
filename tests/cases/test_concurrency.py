"""Concurrent requests with real threads and real transactions.

These run on whatever database the suite runs on: on PostgreSQL the case row
lock (``SELECT … FOR UPDATE``) serialises the transitions; on SQLite,
``BEGIN IMMEDIATE`` transactions serialise the writers. Either way, the
outcome must be the one a serial run gives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

import pytest

from lianban.cases.models import Case, CaseEvent, ItemState
from lianban.cases.services import case_submit
from lianban.catalog.services import CatalogFile
from lianban.core.case_errors import TransitionRefused
from lianban.intake.services import intake_accept
from lianban.review.services import item_case_approve, item_case_take
from tests.cases.kit import FrozenClock, People, check_all, full_form, import_catalog, items, pdf, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]

#: Two items of one stage that a third item waits for.
PARALLEL = """\
format: lianban-catalog/1
things:
  - code: PAR
    name: 并行测试
    lead_department: SCJG
    items:
      - {item: SCJG-GSSL}
      - {item: STHJ-HPBA, after: [SCJG-GSSL]}
      - {item: CG-HWGG, after: [SCJG-GSSL]}
      - {item: GA-TZHY, after: [STHJ-HPBA, CG-HWGG]}
"""


def run_together(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls in threads released at the same moment; ("ok", result) or ("error", exception) each."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("none", None)] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


def accepted_case(people: People, thing: str = "KJD") -> Case:
    case = submit(people, thing=thing, answers={} if thing == "PAR" else None)
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    return case


def test_two_reviewers_approving_the_last_two_items_of_a_stage_start_the_next_stage_once(
    people: People, clock: FrozenClock
) -> None:
    import_catalog(CatalogFile("par.yaml", PARALLEL.encode()))
    case = accepted_case(people, "PAR")
    gssl = items(case)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="YYZZ-9")
    hpba, hwgg = items(case)["STHJ-HPBA"], items(case)["CG-HWGG"]
    item_case_take(actor=people.reviewer("STHJ"), item_case_id=hpba.pk)
    item_case_take(actor=people.reviewer("CG"), item_case_id=hwgg.pk)
    assert items(case)["GA-TZHY"].state == ItemState.WAITING

    results = run_together(
        lambda: item_case_approve(actor=people.reviewer("STHJ"), item_case_id=hpba.pk, licence_number="HP-9"),
        lambda: item_case_approve(actor=people.reviewer("CG"), item_case_id=hwgg.pk, licence_number="HW-9"),
    )

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    after = items(case)
    assert after["STHJ-HPBA"].state == after["CG-HWGG"].state == ItemState.APPROVED
    assert after["GA-TZHY"].state == ItemState.DISPATCHED
    started = CaseEvent.objects.filter(case=case, item_case=after["GA-TZHY"], action="item.dispatched")
    assert started.count() == 1
    assert Case.objects.get(pk=case.pk).version > case.version


def test_the_same_idempotency_key_sent_twice_at_once_has_one_effect(people: People, clock: FrozenClock) -> None:
    answers = {"area": 200}
    before = Case.objects.count()

    def send() -> int:
        case = case_submit(
            actor=people.applicant_user,
            applicant=people.applicant,
            thing_code="KFG",
            answers=answers,
            form=full_form("KFG", answers),
            files={"GSZC": pdf()},
            idempotency_key="submit-once-0001",
        )
        return case.pk

    results = run_together(send, send)

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]
    assert Case.objects.count() == before + 1
    assert CaseEvent.objects.filter(action="case.submitted").count() == 1


def test_two_clerks_accepting_the_same_case_at_once_accept_it_once(people: People, clock: FrozenClock) -> None:
    case = submit(people)
    check_all(people, case)

    results = run_together(
        lambda: intake_accept(actor=people.clerk, case_id=case.pk),
        lambda: intake_accept(actor=people.window, case_id=case.pk),
    )

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, TransitionRefused)
    assert "IN_PROGRESS" in error.message
    assert CaseEvent.objects.filter(case=case, action="case.accepted").count() == 1
    assert CaseEvent.objects.filter(case=case, action="item.dispatched").count() == 1
