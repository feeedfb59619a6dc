"""Concurrent API requests with real threads and real transactions (SQLite and PostgreSQL).

The API runs each command and renders its answer in one transaction; the
case row lock (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite) serialises them.
The outcome must be the one a serial run gives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

import pytest

from lianban.accounts.models import Applicant
from lianban.cases.models import Case, CaseEvent
from lianban.catalog.services import CatalogFile
from tests.api.kit import Api, check_all_through_api, form_for, items_of, submit_through_api
from tests.cases.kit import FrozenClock, People, import_catalog

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


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


def test_the_same_key_sent_twice_at_once_submits_once_and_both_get_the_same_answer(
    people: People, clock: FrozenClock
) -> None:
    plan = Api().post("/api/things/KFG/plan", {"answers": {"area": 200}})
    body = {"applicant": people.applicant.pk, "thing": "KFG", "answers": {"area": 200}, "form": form_for(plan)}

    def send() -> Any:
        return Api(people.applicant_user).call("POST", "/api/cases/", body, key="submit-at-once")

    first, second = together(send, send)

    assert (first.status_code, second.status_code) == (201, 201), (first, second)
    assert first.json() == second.json()
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.submitted").count() == 1


def test_two_windows_accepting_one_case_at_once_accept_it_once(people: People, clock: FrozenClock) -> None:
    case = submit_through_api(people, answers={"area": 600, "central_ac": True, "has_catering": True})
    check_all_through_api(people.clerk, case)
    path = f"/api/cases/{case['id']}/accept"

    answers = together(
        lambda: Api(people.clerk).call("POST", path, {}),
        lambda: Api(people.window).call("POST", path, {}),
    )

    assert sorted(a.status_code for a in answers) == [200, 409], answers
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["code"] == "transition-not-allowed"
    assert "in progress" in refused["message"]
    assert CaseEvent.objects.filter(case_id=case["id"], action="case.accepted").count() == 1
    assert CaseEvent.objects.filter(case_id=case["id"], action="item.dispatched").count() == 1


def test_two_reviewers_approving_the_last_two_items_of_a_stage_start_the_next_once(
    people: People, clock: FrozenClock
) -> None:
    import_catalog(CatalogFile("par.yaml", PARALLEL.encode()))
    case = submit_through_api(people, thing="PAR", answers={})
    check_all_through_api(people.clerk, case)
    Api(people.clerk).post(f"/api/cases/{case['id']}/accept", {})
    supervisor = Api(people.supervisor)
    gssl = items_of(supervisor, case["id"])["SCJG-GSSL"]
    Api(people.reviewer("SCJG")).post(f"/api/item-cases/{gssl['id']}/accept")
    Api(people.reviewer("SCJG")).post(f"/api/item-cases/{gssl['id']}/approve", {"licence_number": "YYZZ-7"})
    items = items_of(supervisor, case["id"])
    sthj, cg = Api(people.reviewer("STHJ")), Api(people.reviewer("CG"))
    sthj.post(f"/api/item-cases/{items['STHJ-HPBA']['id']}/accept")
    cg.post(f"/api/item-cases/{items['CG-HWGG']['id']}/accept")

    answers = together(
        lambda: sthj.call("POST", f"/api/item-cases/{items['STHJ-HPBA']['id']}/approve", {"licence_number": "HP-7"}),
        lambda: cg.call("POST", f"/api/item-cases/{items['CG-HWGG']['id']}/approve", {"licence_number": "HW-7"}),
    )

    assert [a.status_code for a in answers] == [200, 200], answers
    after = items_of(supervisor, case["id"])
    assert (after["STHJ-HPBA"]["state"], after["CG-HWGG"]["state"]) == ("APPROVED", "APPROVED")
    assert after["GA-TZHY"]["state"] == "DISPATCHED"
    started = CaseEvent.objects.filter(
        case_id=case["id"], item_case_id=after["GA-TZHY"]["id"], action="item.dispatched"
    )
    assert started.count() == 1


def test_two_accounts_registering_one_new_identity_at_once_both_get_201_one_registers_one_claims(
    people: People,
) -> None:
    number = "91350100M000100Y43"

    def register(user: Any) -> Callable[[], Any]:
        body = {"kind": "enterprise", "id_number": number, "name": user.username, "contact_name": "x"}
        return lambda: Api(user).call("POST", "/api/applicants/", {**body, "contact_phone": "1"})

    first, second = together(register(people.applicant_user), register(people.other_user))

    assert (first.status_code, second.status_code) == (201, 201), (first, second)
    assert list(first.json()) == list(second.json())
    made = Applicant.objects.filter(pk__in=[first.json()["id"], second.json()["id"]])
    registered = made.get(claim_of__isnull=True)
    claim = made.get(claim_of__isnull=False)
    assert claim.claim_of == registered
    assert {registered.name, claim.name} == {people.applicant_user.username, people.other_user.username}
    assert registered.memberships.count() == claim.memberships.count() == 1
