"""Explanations: why each item is in or out, and where the plan would change."""

from __future__ import annotations

from lianban.core.explain import explain, explanations_to_dict
from lianban.core.planner import compile_thing, plan

from .builders import quick, thing
from .test_golden_plans import demo_catalog


def test_each_candidate_says_why_it_is_in_or_out_and_which_answers_it_read():
    compiled = compile_thing(demo_catalog(), "KJD")
    p = plan(compiled, {"area": 400, "central_ac": False, "has_catering": True})
    why = {c.code: c for c in p.candidates}
    assert len(why) == 10
    assert why["ZJ-XFBA"].included and why["ZJ-XFBA"].when == "area >= 300 and area < 500"
    assert why["ZJ-XFBA"].read == {"area": 400}
    assert not why["ZJ-XFSJ"].included and why["ZJ-XFSJ"].read == {"area": 400}
    assert why["SCJG-GSSL"].included and why["SCJG-GSSL"].when is None and why["SCJG-GSSL"].read == {}


def test_number_thresholds_of_the_hotel_say_what_changes():
    compiled = compile_thing(demo_catalog(), "KJD")
    answers = {"area": 400, "central_ac": False, "has_catering": True}
    area = explain(compiled, answers)[0]
    assert area.key == "area"
    assert [r.label for r in area.ranges] == ["0 ≤ x < 300", "300 ≤ x < 500", "≥ 500"]
    assert [r.current for r in area.ranges] == [False, True, False]
    big = area.ranges[2].change
    assert big.items_added == ("ZJ-XFSJ", "ZJ-XFYS")
    assert big.items_removed == ("ZJ-XFBA",)
    assert big.plan_days_delta == 23 - 6
    small = area.ranges[0].change
    assert small.items_removed == ("ZJ-XFBA",) and small.items_added == ()


def test_a_boolean_alternative_lists_what_flipping_it_changes():
    compiled = compile_thing(demo_catalog(), "KJD")
    e = {x.key: x for x in explain(compiled, {"area": 100, "central_ac": False, "has_catering": False})}
    (ac,) = e["central_ac"].alternatives
    assert ac.value is True and ac.change.materials_added == ("JZKT",)
    (catering,) = e["has_catering"].alternatives
    assert catering.change.items_added == ("SCJG-SPJY",) and catering.change.plan_days_delta == 3


def test_ranges_respect_strict_and_inclusive_comparisons_and_bounds():
    text = quick(
        {"A": {"legal_days": 5}, "B": {"legal_days": 7}},
        [{"item": "A", "when": "n > 10"}, {"item": "B", "when": "n <= 3"}],
        [{"key": "n", "text": "n", "type": "number", "min": 0, "max": 20}],
    )
    (n,) = explain(thing(text), {"n": 5})
    assert [r.label for r in n.ranges] == ["0 ≤ x ≤ 3", "3 < x ≤ 10", "10 < x ≤ 20"]
    assert [r.change.items_added for r in n.ranges] == [("B",), (), ("A",)]


def test_a_question_that_changes_nothing_has_no_ranges():
    text = quick({"A": {}}, [{"item": "A"}], [{"key": "n", "text": "n", "type": "number"}])
    (n,) = explain(thing(text), {"n": 5})
    assert n.ranges == ()


def test_an_equality_threshold_is_a_single_point():
    text = quick({"A": {}}, [{"item": "A", "when": "n == 2"}], [{"key": "n", "text": "n", "type": "number"}])
    (n,) = explain(thing(text), {"n": 5})
    assert [r.label for r in n.ranges] == ["< 2", "= 2", "> 2"]


def test_material_conditions_count_as_thresholds_too():
    compiled = compile_thing(demo_catalog(), "KJD")
    doc = explanations_to_dict(explain(compiled, {"area": 600, "central_ac": True, "has_catering": True}), compiled)
    summaries = [r["change"]["summary"] for r in doc[0]["ranges"]]
    assert any("建设工程消防验收备案凭证" in s for s in summaries)
