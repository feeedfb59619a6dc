"""``Case.frozen_plan``: the typed plan of a case, whatever schema version it was stored in."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from lianban.cases.models import Case
from lianban.cases.selectors import case_progress
from lianban.catalog.models import FieldDefinition
from lianban.catalog.selectors import compiled_thing
from lianban.core.planner import PLAN_SCHEMA_VERSION, Plan, plan
from lianban.workbench.selectors.common import field_label, form_rows
from tests.cases.kit import HOTEL, FrozenClock, People, fresh, submit

pytestmark = pytest.mark.django_db


def as_schema_1(document: dict[str, Any], *, with_definitions: bool) -> dict[str, Any]:
    """A current document as schema 1 stored it (no version key; definitions only once they were frozen)."""
    old = {key: value for key, value in document.items() if key != "schema_version"}
    if not with_definitions:
        del old["field_definitions"]
    return old


def test_the_frozen_plan_is_the_plan_of_the_submission(people: People, clock: FrozenClock) -> None:
    case = fresh(submit(people))
    held = [m.code for m in case.frozen_plan.materials if m.provenance == "licence"]
    assert case.frozen_plan == plan(compiled_thing("KJD"), HOTEL, case.frozen_plan.licences)
    assert case.frozen_plan.to_dict() == case.plan
    assert case.plan_schema_version == case.plan["schema_version"] == PLAN_SCHEMA_VERSION
    assert held == [m.code for m in case.materials.filter(provenance="licence").order_by("position")]
    assert case.thing_name == "我要开酒店、宾馆"


def test_the_frozen_plan_is_read_once_per_instance_and_again_when_the_plan_changes(
    people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = fresh(submit(people))
    reads: list[object] = []
    original = Plan.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Plan], data: Any) -> Plan:
        reads.append(data)
        return original(cls, data)

    monkeypatch.setattr(Plan, "from_dict", classmethod(counting))
    assert case.thing_name == "我要开酒店、宾馆" and reads == []  # list rows read the heading only
    first = case.frozen_plan
    assert case.frozen_plan is first and case.thing_name == first.thing_name
    assert len(reads) == 1
    case.plan = {**case.plan, "thing_name": "另一个名字"}
    assert case.frozen_plan.thing_name == "另一个名字" and len(reads) == 2


@pytest.mark.parametrize("with_definitions", [True, False])
def test_a_case_stored_with_schema_1_reads_as_before(
    people: People, clock: FrozenClock, with_definitions: bool
) -> None:
    case = fresh(submit(people))
    current = case.frozen_plan
    Case.objects.filter(pk=case.pk).update(
        plan=as_schema_1(case.plan, with_definitions=with_definitions), plan_schema_version=1
    )
    old = fresh(case)
    assert "schema_version" not in old.plan
    expected = current if with_definitions else dataclasses.replace(current, field_definitions={})
    assert old.frozen_plan == expected
    assert old.thing_name == "我要开酒店、宾馆"
    assert case_progress(old)["thing_name"] == "我要开酒店、宾馆"
    assert form_rows(old, full_keys=None) == form_rows(case, full_keys=None)


def test_labels_come_from_the_frozen_definitions_and_from_the_catalog_for_a_schema_1_case_without_them(
    people: People, clock: FrozenClock
) -> None:
    case = fresh(submit(people))
    key = case.frozen_plan.fields[0]
    frozen_label = case.frozen_plan.field_definitions[key].label
    FieldDefinition.objects.filter(key=key).update(label="改过的标签")
    assert field_label(key, fresh(case)) == frozen_label
    Case.objects.filter(pk=case.pk).update(plan=as_schema_1(case.plan, with_definitions=False))
    assert field_label(key, fresh(case)) == "改过的标签"
