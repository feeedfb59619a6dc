"""Statements compiled once (``common.prepared``): the same SQL, values and results as the ORM's own path."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

import pytest

from lianban.cases.models import Case, CaseMaterial, ItemCase, Notification
from lianban.cases.workflow import _ITEM_CASES_LOCKED
from lianban.catalog.models import Department, Material
from lianban.common.models import IdempotencyKey
from lianban.common.prepared import NotPreparable, PreparedQuery, insert_row, save_fields
from lianban.intake.material_checks import _MATERIAL_TO_CHECK
from lianban.licences.models import Licence
from tests.cases.kit import FrozenClock, People, submit

pytestmark = pytest.mark.django_db

KFG = {"area": 200}


def _fields(obj: Any) -> dict[str, Any]:
    """Every loaded attribute of a model instance (deferred ones are not in ``__dict__``)."""
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _queries(fn: Any) -> list[dict[str, Any]]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return list(captured.captured_queries)


def _statements(fn: Any) -> list[tuple[str, int]]:
    """The SQL text of each statement ``fn`` runs, with its number of parameters."""
    seen: list[tuple[str, int]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return seen


@pytest.fixture
def case(people: People, clock: FrozenClock) -> Case:
    return submit(people, thing="KFG", answers=KFG)


def test_a_locked_annotated_read_equals_the_orm_and_runs_the_same_sql(case: Case) -> None:
    code = CaseMaterial.objects.filter(case=case).order_by("position").values_list("code", flat=True)[1]
    prepared = PreparedQuery(
        lambda case_id, code: _MATERIAL_TO_CHECK.filter(case_id=case_id, code=code).order_by("pk")[:1],
        case_id=int,
        code=str,
    )
    with transaction.atomic():
        orm_sql = _queries(lambda: _MATERIAL_TO_CHECK.filter(case_id=case.pk, code=code).order_by("pk")[:1].get())
        ours: list[CaseMaterial] = []
        prepared_sql = _queries(lambda: ours.append(prepared.get(case_id=case.pk, code=code)))
        expected = _MATERIAL_TO_CHECK.filter(case_id=case.pk, code=code).order_by("pk").get()
    assert [q["sql"] for q in prepared_sql] == [q["sql"] for q in orm_sql]
    (material,) = ours
    assert _fields(material) == _fields(expected)
    assert material._state.adding is False
    assert material._state.db == "default"
    assert material.get_deferred_fields() == expected.get_deferred_fields()
    assert material.chain_seq is not None  # type: ignore[attr-defined]  # the annotation is there


def test_the_second_call_builds_no_sql_and_binds_the_new_values(case: Case) -> None:
    prepared = PreparedQuery(
        lambda case_id: _ITEM_CASES_LOCKED.filter(case_id=case_id).order_by("position"), case_id=int
    )
    with transaction.atomic():
        first = prepared.all(case_id=case.pk)
        with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
            again = prepared.all(case_id=case.pk)
            none = prepared.all(case_id=-1)
        assert as_sql.call_count == 0
    assert (
        [i.pk for i in first]
        == [i.pk for i in again]
        == list(ItemCase.objects.filter(case=case).order_by("position").values_list("pk", flat=True))
    )
    assert first
    assert none == []


def test_select_related_and_values_lists_come_back_as_the_orm_returns_them(case: Case) -> None:
    related = PreparedQuery(
        lambda case_id: ItemCase.objects.select_related("department").filter(case_id=case_id).order_by("pk"),
        case_id=int,
    )
    ours = related.all(case_id=case.pk)
    theirs = list(ItemCase.objects.select_related("department").filter(case_id=case.pk).order_by("pk"))
    assert [(i.pk, i.department.code, i.department.name) for i in ours] == [
        (i.pk, i.department.code, i.department.name) for i in theirs
    ]
    with CaptureQueriesContext(connection) as captured:
        _ = [i.department.name for i in ours]
    assert len(captured) == 0  # the related rows came with the read

    flat = PreparedQuery(
        lambda case_id: Case.objects.filter(pk=case_id).values_list("tracking_code", flat=True), case_id=int
    )
    assert flat.first(case_id=case.pk) == case.tracking_code
    pairs = PreparedQuery(
        lambda code, number: Material.objects.filter(code=code).values_list(
            "pk", Exists(Licence.objects.filter(material=OuterRef("pk"), number=number))
        ),
        code=str,
        number=str,
    )
    gszc = Material.objects.get(code="GSZC")
    assert pairs.get(code="GSZC", number="nobody's") == (gszc.pk, False)
    with pytest.raises(Material.DoesNotExist):
        pairs.get(code="NO-SUCH", number="1")


def test_values_of_another_type_run_through_the_orm_unchanged(case: Case) -> None:
    by_pk = PreparedQuery(lambda pk: Case.objects.filter(pk=pk), pk=int)
    assert [c.pk for c in by_pk.all(pk=str(case.pk))] == [case.pk]  # a key from a URL, converted as before
    assert by_pk.all(pk=2**70) == []  # beyond 64 bits: the ORM's own answer (no row), not a database error
    with pytest.raises(ValueError, match="expected a number"):
        by_pk.all(pk="abc")
    nullable = PreparedQuery(lambda code: Department.objects.filter(code=code), code=str)
    assert nullable.all(code=None) == []  # IS NULL, built by the ORM
    with pytest.raises(NotPreparable):
        by_pk.all(other=1)


def test_a_value_a_lookup_transforms_is_refused_when_prepared() -> None:
    contains = PreparedQuery(lambda name: Department.objects.filter(name__contains=name), name=str)
    with pytest.raises(NotPreparable, match="not a plain value"):
        contains.all(name="局")
    both = PreparedQuery(lambda name: Department.objects.filter(Q(name=name) | Q(name__contains=name)), name=str)
    with pytest.raises(NotPreparable, match="transformed"):
        both.all(name="局")
    with pytest.raises(NotPreparable, match="prefetch"):
        PreparedQuery(lambda pk: Case.objects.prefetch_related("item_cases").filter(pk=pk), pk=int).all(pk=1)


@pytest.mark.django_db(transaction=True)
def test_each_thread_builds_its_own_statement_on_its_own_connection() -> None:
    department = Department.objects.create(code="PREP", name="预备局")
    prepared = PreparedQuery(lambda code: Department.objects.filter(code=code).values_list("pk", flat=True), code=str)
    assert prepared.all(code="PREP") == [department.pk]
    seen: list[object] = []

    def other() -> None:
        try:
            seen.append(prepared.all(code="PREP"))
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == [[department.pk]]


def test_save_fields_writes_what_save_writes(case: Case) -> None:
    theirs = _statements(lambda: Case.objects.get(pk=case.pk).save(update_fields=["version", "updated_at"]))
    fresh = Case.objects.get(pk=case.pk)
    fresh.version += 5
    ours = _statements(lambda: save_fields(fresh, ["version", "updated_at"]))
    assert ours == [s for s in theirs if s[0].startswith("UPDATE")]
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == fresh.version
    assert stored.updated_at == fresh.updated_at  # auto_now ran as in save()
    gone = ItemCase.objects.filter(case=case).first()
    assert gone is not None
    ItemCase.objects.filter(pk=gone.pk).delete()
    gone.held = True
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        save_fields(gone, ["held"])
    with pytest.raises(NotPreparable):
        save_fields(stored, ["item_cases"])


def test_insert_row_writes_what_create_writes_and_keeps_the_constraints(case: Case, people: People) -> None:
    theirs = _statements(
        lambda: Notification.objects.create(applicant_id=case.applicant_id, case=case, kind="SUBMITTED", message="甲")
    )
    row = Notification(applicant_id=case.applicant_id, case=case, kind="SUBMITTED", message="乙")
    ours = _statements(lambda: insert_row(row))
    assert ours == theirs
    assert row.pk is not None
    assert row._state.adding is False
    stored = Notification.objects.get(pk=row.pk)
    assert (stored.message, stored.created_at) == ("乙", row.created_at)  # auto_now_add set on the instance
    key = IdempotencyKey(actor_id=people.clerk.pk, key="k", operation="x", result={"pk": 1, "名": "值"})
    insert_row(key)
    assert IdempotencyKey.objects.get(pk=key.pk).result == {"pk": 1, "名": "值"}
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(IdempotencyKey(actor_id=people.clerk.pk, key="k", operation="x", result={}))
    assert IdempotencyKey.objects.filter(key="k").count() == 1
