"""bench/scale's fill writes consistent rows: copies of real template cases, every table in step.

The fill is PostgreSQL SQL (``generate_series``, ``session_replication_role``):
on SQLite this test is skipped, and the PostgreSQL pass of ``.ci/run`` runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Max, Min

import pytest
from bench.scale import fill as scale_fill
from bench.scale.journeys import STOP_NAMES, THINGS

from lianban.accounts.models import Applicant, ApplicantMember
from lianban.accounts.selectors import applicant_get_by_identity
from lianban.cases.models import Case, ItemCase
from lianban.cases.selectors import track
from lianban.catalog import selectors as catalog_selectors
from lianban.core.tracking import format_code

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("case_rows_wiped_first"),
    pytest.mark.postgres,  # the scale fill is PostgreSQL SQL: the PostgreSQL pass runs it
]

CASES = 60


@pytest.fixture
def filled(transactional_db: None) -> Iterator[dict[str, Any]]:
    catalog_selectors._compiled.clear()
    info = scale_fill.fill(CASES, log=lambda _message: None)
    yield info
    catalog_selectors._compiled.clear()


def test_a_tiny_fill_is_consistent_in_every_table(filled: dict[str, Any]) -> None:
    templates = len(THINGS) * len(STOP_NAMES)
    assert filled["cases"] == CASES + templates == Case.objects.count()
    assert scale_fill.fill_problems(filled) == []
    assert scale_fill.fill_info() == filled  # the marker a rerun reuses
    # every state of the mix is there, with item cases in step with the case
    assert set(Case.objects.values_list("state", flat=True)) == {"SUBMITTED", "IN_PROGRESS", "READY", "ISSUED"}
    assert not ItemCase.objects.filter(case__state="SUBMITTED").exclude(state="WAITING").exists()
    assert not ItemCase.objects.filter(case__state="ISSUED").exclude(state="APPROVED").exists()
    assert ItemCase.objects.filter(case__state="IN_PROGRESS", state="DISPATCHED").exists()
    # one applicant per four copies plus the heavy one, each with its user
    made = [a for a in Applicant.objects.all() if a.id_number.startswith("BZ")]  # encrypted: read, not filtered
    assert len(made) == CASES // scale_fill.CASES_PER_APPLICANT + 1
    assert applicant_get_by_identity(kind="enterprise", id_number=made[-1].id_number) == made[-1]  # the digest finds it
    heavy = filled["heavy_applicant_id"]
    assert ApplicantMember.objects.filter(applicant_id=heavy, user_id=filled["heavy_user_id"]).exists()
    assert Case.objects.filter(applicant_id=heavy).count() == len([g for g in range(CASES) if g % 10 == 3])
    # the copies spread back over two weeks, their item cases' dates with them
    copies = Case.objects.filter(tracking_code__startswith="BZ").aggregate(
        first=Min("submitted_at"), last=Max("submitted_at")
    )
    assert copies["last"] - copies["first"] > scale_fill.SPAN * 0.9
    started = ItemCase.objects.filter(case__tracking_code__startswith="BZ").aggregate(
        first=Min("started_on"), last=Max("started_on")
    )
    assert (started["last"] - started["first"]).days >= 12
    # a copy is a real case: the public tracking answer works on it
    copy = Case.objects.filter(tracking_code__startswith="BZ", state="IN_PROGRESS").first()
    assert copy is not None
    answer = track(format_code(copy.tracking_code))
    assert answer is not None
    assert answer["state"] == "IN_PROGRESS"
    assert sum(len(stage["items"]) for stage in answer["stages"]) == ItemCase.objects.filter(case=copy).count()


def test_a_broken_copy_is_reported(filled: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM cases_itemcase WHERE id = (SELECT max(id) FROM cases_itemcase)")
        cursor.execute("SET session_replication_role = DEFAULT")
    problems = scale_fill.fill_problems(filled)
    assert any(p.startswith("cases_itemcase:") for p in problems)
    assert any("point to no cases_itemcase row" in p for p in problems)


def test_the_fill_writes_current_plans_and_reports_an_old_one(filled: dict[str, Any]) -> None:
    from lianban.core.planner import PLAN_SCHEMA_VERSION

    assert set(Case.objects.values_list("plan_schema_version", flat=True)) == {PLAN_SCHEMA_VERSION}
    copy = Case.objects.exclude(pk__in=[t["case_id"] for t in filled["templates"]]).order_by("pk").first()
    assert copy is not None and copy.frozen_plan.items  # a copy's plan reads back, typed
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET plan = plan - 'schema_version' WHERE id = %s", [copy.pk])
    assert "1 plans not of the current schema version" in scale_fill.fill_problems(filled)
