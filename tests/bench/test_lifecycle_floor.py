"""bench/lifecycle's floor writes what the services write (rows and statements per table).

The benchmark checks this before measuring; this test keeps it true as the
services change. Transactional (real commits), with the production task
backend, so that the rows ``on_commit`` callbacks write are part of both.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F
from django.test import override_settings

import pytest
from bench.lifecycle.capture import capture
from bench.lifecycle.compare import FloorLifecycle, compare, reference
from bench.lifecycle.floor import Floor, FloorUnsupported
from bench.lifecycle.hotel import HotelLifecycle, catalog_load

from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase, Notification
from lianban.catalog import selectors as catalog_selectors
from lianban.core.tracking import format_code
from lianban.issuance.models import Issuance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def hotel(transactional_db: None) -> Iterator[HotelLifecycle]:
    with override_settings(TASKS=DATABASE_TASKS):
        catalog_load()
        catalog_selectors._compiled.clear()
        yield HotelLifecycle(prefix="T0AA")


def test_one_service_lifecycle_ends_issued_with_every_item_approved(hotel: HotelLifecycle) -> None:
    case = hotel.run()
    case.refresh_from_db()
    assert case.state == "ISSUED"
    assert case.outcome == "APPROVED"
    assert len(hotel.items) == ItemCase.objects.filter(case=case, state="APPROVED").count() == 9
    assert Issuance.objects.filter(case=case).exists()
    assert case.bill.status == "PAID"  # type: ignore[attr-defined]


def test_the_floor_adds_the_same_rows_with_the_same_write_statements_per_table(hotel: HotelLifecycle) -> None:
    recorded, floor = reference(hotel)
    floors = FloorLifecycle(floor, prefix="F0AA")
    comparison = compare(hotel.run, floors.run)
    assert comparison.differences() == []
    assert comparison.same
    rows = comparison.services_rows
    assert rows["cases_case"] == 1
    assert rows["cases_itemcase"] == 9
    assert rows["licences_licence"] == 9
    assert rows["messaging_dispatch"] == rows["cases_notification"] > 0  # written with each notification
    assert rows.get("django_tasks_database_dbtaskresult", 0) == 0  # nothing enqueued after commit
    assert comparison.floor_queries.get("SELECT", 0) == 0
    assert (
        comparison.services_transactions
        == comparison.floor_transactions
        == 1 + len(hotel.to_submit) + 1 + 2 * len(hotel.items) + 2
    )
    assert comparison.services_writes == recorded.writes()  # a second lifecycle writes like the first


def test_each_floor_replay_writes_new_rows_that_point_to_each_other(hotel: HotelLifecycle) -> None:
    _recorded, floor = reference(hotel)
    floors = FloorLifecycle(floor, prefix="F0AB")
    first, second = floors.run(), floors.run()
    codes = list(Case.objects.filter(tracking_code__startswith="F0AB").values_list("tracking_code", flat=True))
    assert sorted(codes) == ["F0AB00000001", "F0AB00000002"]
    for ctx in (first, second):
        (case_id,) = ctx.ids["cases_case"].values()
        item_ids = set(ctx.ids["cases_itemcase"].values())
        assert set(ItemCase.objects.filter(case_id=case_id).values_list("pk", flat=True)) == item_ids
        assert CaseEvent.objects.filter(case_id=case_id, item_case_id__in=item_ids).count() > 0
        assert Case.objects.get(pk=case_id).state == "ISSUED"
        produced = CaseMaterial.objects.filter(case_id=case_id, provenance="produced")
        assert produced.exists()
        assert {m.state for m in produced} == {"RECEIVED"}  # the remapped UPDATEs hit the replay's own rows
        assert {m.licence_id for m in produced} <= set(ctx.ids["licences_licence"].values())
        told = list(Notification.objects.filter(case_id=case_id).values_list("message", flat=True))
        own = format_code(Case.objects.get(pk=case_id).tracking_code)  # the code as written for people
        assert told and all(own in message for message in told), told
    assert set(first.ids["cases_case"].values()).isdisjoint(second.ids["cases_case"].values())


def test_a_write_the_floor_cannot_replay_faithfully_stops_the_build(hotel: HotelLifecycle) -> None:
    with capture() as recorded:
        hotel.run()
    Floor(recorded.statements, code="X", token="Y")  # every write of a lifecycle is replayable
    with capture() as expression:
        Case.objects.filter(state="NOPE").update(version=F("version") + 1)
    with pytest.raises(FloorUnsupported, match="expression"):
        Floor(expression.statements, code="X", token="Y")
    with capture() as comparison:
        Case.objects.filter(version__gt=10**6).update(decision_reason="x")
    with pytest.raises(FloorUnsupported, match="other than equalities"):
        Floor(comparison.statements, code="X", token="Y")
