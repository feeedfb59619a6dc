"""The plan as a versioned document: round trips, and every stored version read back.

``stored_plans/`` holds documents as cases stored them before schema 2 (written
by the code of that time, not by today's ``to_dict``): schema 1 without field
definitions (cases submitted before they were frozen) and schema 1 with them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianban.core.catalog import FIELD_TYPES, FieldDef
from lianban.core.form_fields import frozen_definition
from lianban.core.planner import (
    PLAN_SCHEMA_VERSION,
    CandidateExplanation,
    MaterialUse,
    Plan,
    PlanHeading,
    PlannedItem,
    PlannedMaterial,
    PlanSchemaError,
    compile_thing,
    plan,
)
from lianban.core.planner.document import UPGRADES, upgrade
from tests.core.test_golden_plans import demo_catalog
from tests.core.test_planner_properties import catalogs

STORED = Path(__file__).parent / "stored_plans"

codes = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=6)
texts = st.text(max_size=12)
numbers = st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False))
values = st.one_of(st.booleans(), numbers, texts)
days = st.integers(0, 400)


@st.composite
def field_definitions(draw: st.DrawFn, key: str) -> FieldDef:
    field_type = draw(st.sampled_from(FIELD_TYPES))
    bound = st.one_of(st.none(), numbers, texts)
    return frozen_definition(
        FieldDef(
            key=key,
            label=draw(st.text(min_size=1, max_size=8)),
            type=field_type,
            required=draw(st.booleans()),
            help=draw(st.one_of(st.none(), texts)),
            options=draw(st.one_of(st.none(), st.tuples(texts, texts).map(tuple))),
            min=draw(bound),
            max=draw(bound),
            max_length=draw(st.one_of(st.none(), st.integers(0, 5000))),
            prefill=draw(st.one_of(st.none(), texts)),
            personal=draw(st.one_of(st.none(), st.booleans())),
        )
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """Any plan the document must carry (not necessarily one a catalog could produce)."""
    strs = st.lists(codes, max_size=4).map(tuple)
    items = draw(
        st.lists(
            st.builds(
                PlannedItem,
                codes,
                texts,
                codes,
                st.integers(1, 9),
                strs,
                days,
                days,
                numbers,
                st.booleans(),
                strs,
                days,
                days,
            ),
            max_size=5,
        )
    )
    uses = st.builds(MaterialUse, codes, st.booleans(), st.booleans(), st.one_of(st.none(), texts))
    materials = st.builds(
        PlannedMaterial,
        codes,
        texts,
        st.sampled_from(["applicant", "licence"]),
        st.sampled_from(["produced", "licence", "submit"]),
        st.booleans(),
        st.booleans(),
        strs,
        st.one_of(st.none(), codes),
        st.lists(uses, max_size=3).map(tuple),
    )
    fields = draw(st.lists(codes, unique=True, max_size=6).map(tuple))
    defined = draw(st.lists(st.sampled_from(fields), unique=True).map(tuple)) if fields else ()
    figures = st.fixed_dictionaries(
        dict.fromkeys(("departments", "trips", "forms", "fields", "materials", "days"), days)
    )
    return Plan(
        thing=draw(codes),
        thing_name=draw(texts),
        lead_department=draw(codes),
        answers=draw(st.dictionaries(codes, values, max_size=4)),
        licences=draw(strs),
        stages=draw(st.lists(strs, max_size=4).map(tuple)),
        items=tuple(items),
        materials=draw(st.lists(materials, max_size=4).map(tuple)),
        fields=fields,
        serial_days=draw(days),
        plan_days=draw(days),
        fee_total=draw(numbers),
        reductions=draw(st.fixed_dictionaries({"before": figures, "after": figures})),
        candidates=draw(
            st.lists(
                st.builds(
                    CandidateExplanation,
                    codes,
                    texts,
                    st.booleans(),
                    st.one_of(st.none(), texts),
                    st.dictionaries(codes, st.one_of(st.none(), values), max_size=3),
                ),
                max_size=4,
            ).map(tuple)
        ),
        field_definitions={key: draw(field_definitions(key)) for key in defined},
    )


def through_json(document: dict[str, Any]) -> Any:
    return json.loads(json.dumps(document, ensure_ascii=False, allow_nan=False))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_any_plan_comes_back_from_its_document(p):
    document = p.to_dict()
    assert document["schema_version"] == PLAN_SCHEMA_VERSION
    again = Plan.from_dict(through_json(document))  # JSON-serialisable, as a case stores it
    assert again == p
    assert PlanHeading.from_dict(through_json(document)) == p.heading == (p.thing, p.thing_name, p.lead_department)
    assert json.dumps(again.to_dict()) == json.dumps(document)  # stable: the same document, key order included


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(catalogs())
def test_plans_of_random_catalogs_come_back_from_their_documents(sample):
    catalog, answers, licences = sample
    p = plan(compile_thing(catalog, "T"), answers, licences)
    assert Plan.from_dict(through_json(p.to_dict())) == p


def demo_plan(code: str, answers: dict[str, Any], licences: tuple[str, ...] = ()) -> Plan:
    return plan(compile_thing(demo_catalog(), code), answers, licences)


def stored(name: str) -> dict[str, Any]:
    return json.loads((STORED / name).read_text(encoding="utf-8"))


def test_a_schema_1_plan_with_field_definitions_reads_as_the_plan_it_froze():
    document = stored("v1.json")
    assert "schema_version" not in document and document["field_definitions"]
    read = Plan.from_dict(document)
    assert read == demo_plan("KFG", {"area": 350})
    for entry in document["field_definitions"]:
        assert read.field_definitions[entry["key"]].label == entry["label"]
    assert set(read.field_definitions) == {d["key"] for d in document["field_definitions"] if d["defined"]}


def test_a_schema_1_plan_without_field_definitions_reads_with_none():
    document = stored("v1_without_field_definitions.json")
    assert "schema_version" not in document and "field_definitions" not in document
    read = Plan.from_dict(document)
    assert PlanHeading.from_dict(document) == read.heading
    expected = demo_plan("KJD", {"area": 600, "central_ac": True, "has_catering": True}, ("GDZG", "SFZ"))
    assert read == dataclasses.replace(expected, field_definitions={})
    assert any(m.provenance == "licence" for m in read.materials)


def test_a_stored_schema_1_plan_upgrades_to_the_current_document():
    document = stored("v1.json")
    upgraded = upgrade(document)
    assert upgraded["schema_version"] == PLAN_SCHEMA_VERSION
    assert upgraded == {**document, "schema_version": PLAN_SCHEMA_VERSION}
    assert "schema_version" not in document  # the stored document is not changed
    assert upgrade(stored("v1_without_field_definitions.json"))["field_definitions"] == []


def test_an_explicit_schema_1_reads_too():
    document = {**stored("v1.json"), "schema_version": 1}
    assert Plan.from_dict(document) == Plan.from_dict(stored("v1.json"))


def test_every_older_version_has_an_upgrade_and_the_current_one_is_read_as_is():
    assert sorted(UPGRADES) == list(range(1, PLAN_SCHEMA_VERSION))
    current = demo_plan("KFG", {"area": 600}).to_dict()
    assert upgrade(current) is current


def test_keys_the_document_does_not_know_are_ignored():
    p = demo_plan("KFG", {"area": 600})
    assert Plan.from_dict({**p.to_dict(), "explanations": [{"question": "area"}]}) == p


def test_undefined_fields_stay_undefined():
    p = demo_plan("KFG", {"area": 600})
    assert p.field_definitions  # the demo defines its fields
    bare = dataclasses.replace(p, field_definitions={})
    document = bare.to_dict()
    assert [d["defined"] for d in document["field_definitions"]] == [False] * len(p.fields)
    assert Plan.from_dict(document) == bare


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"schema_version": PLAN_SCHEMA_VERSION + 1}, "unknown plan schema version"),
        ({"schema_version": 0}, "unknown plan schema version"),
        ({"schema_version": True}, "whole number"),
        ({"schema_version": "2"}, "whole number"),
        ({"schema_version": PLAN_SCHEMA_VERSION, "thing": "X"}, "not a plan document"),
        ({"thing": "X"}, "not a plan document"),
        ([], "is an object"),
    ],
)
def test_a_document_that_is_not_a_readable_plan_is_refused(document, problem):
    with pytest.raises(PlanSchemaError, match=problem):
        Plan.from_dict(document)
    with pytest.raises(PlanSchemaError, match=problem):
        PlanHeading.from_dict(document)


def test_the_golden_plans_read_back():
    for code, answers in (("KFG", {"area": 0}), ("KJD", {"area": 299, "central_ac": True, "has_catering": False})):
        golden = json.loads((Path(__file__).parent / "golden" / f"{code}.json").read_text(encoding="utf-8"))
        entry = next(e for e in golden if e["answers"] == answers)
        assert Plan.from_dict(entry["plan"]) == demo_plan(code, answers)
