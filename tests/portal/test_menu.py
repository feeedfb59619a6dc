"""The customised menu built from a real plan (KJD, 600 m², central AC, catering)."""

from __future__ import annotations

from django.utils import translation

import pytest

from lianban.catalog.planning import plan_document, planned
from lianban.catalog.selectors import compiled_thing
from lianban.portal.menu import MIN_BAR_PERCENT, _axis, build_menu, fee_text

pytestmark = pytest.mark.django_db

ANSWERS = {"area": 600, "central_ac": True, "has_catering": True}


@pytest.fixture
def menu(demo_catalog):
    with translation.override("zh-hans"):
        plan = plan_document("KJD", ANSWERS)  # the JSON the menu is checked against
        typed = planned("KJD", ANSWERS)
        yield plan, build_menu(typed.plan, compiled_thing("KJD"), typed.explanations)


def test_stages_follow_the_plan(menu):
    plan, view = menu
    assert len(view.stages) == 5
    assert [[i.code for i in s.items] for s in view.stages] == plan["stages"]
    first = view.stages[0].items[0]
    assert (first.name, first.department, first.promised_days) == ("公司设立登记", "市场监督管理局", 1)
    assert view.stages[1].start_day == 1 and view.stages[1].finish_day == 11


def test_bars_sit_on_the_plan_scale(menu):
    plan, view = menu
    for item in view.items:
        assert 0 <= item.bar_left <= 100 - MIN_BAR_PERCENT
        assert MIN_BAR_PERCENT <= item.bar_width <= 100 - item.bar_left + 1e-9
    last = view.items[-1]
    assert last.code == "GA-TZHY"
    assert last.bar_left == pytest.approx(100 * 22 / plan["plan_days"], abs=0.01)


def test_each_material_is_listed_once_with_where_it_comes_from(menu):
    plan, view = menu
    listed = [m.code for m in view.to_submit + view.not_submitted]
    assert sorted(listed) == sorted(m["code"] for m in plan["materials"])
    assert len(listed) == len(set(listed))
    licence = next(m for m in view.not_submitted if m.code == "YYZZ")
    assert licence.provenance == "produced"
    assert licence.provenance_text == "由「公司设立登记」（市场监督管理局）办结后产生，无需提交"
    assert {u.item for u in licence.uses} >= {"食品经营许可", "特种行业许可证核发（旅馆业）"}
    assert all(m.provenance_text == "需提交" for m in view.to_submit)
    premises = next(m for m in view.to_submit if m.code == "ZSSY")
    assert [u.name_override for u in premises.uses] == ["住所使用证明", "房屋产权证明或租赁合同"]


def test_each_candidate_says_why_it_is_in_or_out(menu):
    _, view = menu
    by_code = {c.code: c for c in view.candidates}
    assert by_code["SCJG-GSSL"].included and by_code["SCJG-GSSL"].condition is None
    assert by_code["ZJ-XFSJ"].condition == "「经营场所建筑面积(平方米)」 ≥ 500"
    assert by_code["ZJ-XFSJ"].answers == ("「经营场所建筑面积(平方米)」：600",)
    assert not by_code["ZJ-XFBA"].included


def test_thresholds_say_what_each_range_adds_and_removes(menu):
    _, view = menu
    area = next(t for t in view.thresholds if t.key == "area")
    labels = [o.label for o in area.outcomes]
    assert labels == ["0 ≤ x < 300", "300 ≤ x < 500", "≥ 500"]
    assert [o.current for o in area.outcomes] == [False, False, True]
    middle = area.outcomes[1].changes
    assert "增加事项：其他建设工程消防验收备案" in middle
    assert "不再需要事项：特殊建设工程消防设计审查、特殊建设工程消防验收" in middle
    assert "承诺时间缩短 17 个工作日" in middle
    ac = next(t for t in view.thresholds if t.key == "central_ac")
    assert ac.current == "是"
    assert ac.outcomes[0].label == "如果回答“否”"
    assert ac.outcomes[0].changes == ("减少材料：集中空调通风系统卫生检测或者评价报告",)


def test_the_five_reductions_are_the_plans(menu):
    plan, view = menu
    rows = {r.key: r for r in view.reductions}
    for key in ("departments", "trips", "forms", "fields", "materials", "days"):
        assert rows[key].before == plan["reductions"]["before"][key]
        assert rows[key].after == plan["reductions"]["after"][key]
        assert rows[key].saved == rows[key].before - rows[key].after
    assert rows["days"].before == plan["serial_days"] and rows["days"].after == plan["plan_days"]
    assert rows["departments"].percent == round(100 * 6 / 7)
    assert [r.reduction for r in view.reductions] == ["减环节", "减跑动", "减表单", "减表单", "减材料", "减时间"]
    assert view.days_saved == plan["serial_days"] - plan["plan_days"]


def test_axis_marks_are_round_and_end_at_the_plan_days():
    assert _axis(23) == ((0, 0.0), (5, 21.74), (10, 43.48), (15, 65.22), (20, 86.96), (23, 100.0))
    assert _axis(0) == ((0, 0.0),)
    assert [d for d, _ in _axis(3)] == [0, 1, 2, 3]
    assert [d for d, _ in _axis(101)] == [0, 50, 101]


def test_fees_read_as_free_or_yuan():
    with translation.override("zh-hans"):
        assert fee_text(0) == "免费"
        assert fee_text(12.5) == "12.5 元"
