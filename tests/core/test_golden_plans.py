"""Golden plans of the three demo one-things at each of their thresholds.

The files in ``golden/`` are the expected plans. After a deliberate change of
the plan format, regenerate them with
``.venv/bin/python -m tests.core.test_golden_plans`` and review the diff line by
line before committing: a golden file is only as good as that review.
(KFG at 100 m² was checked by hand: stages, 26 → 6 days, 3 → 1 departments,
4 → 1 trips, 32 → 16 fields, 16 → 13 materials.)
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from lianban.core.catalog import Catalog
from lianban.core.catalog_format import check_files
from lianban.core.planner import compile_thing, plan

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = Path(__file__).resolve().parents[2] / "src" / "lianban" / "demo" / "catalog"

AREAS = [0, 299, 299.5, 300, 499, 500, 5000]
CASES: dict[str, list[dict[str, Any]]] = {
    "KFG": [{"area": a} for a in AREAS],
    "KJD": [
        {"area": a, "central_ac": ac, "has_catering": cat}
        for a, ac, cat in itertools.product([0, 299, 300, 499, 500], [False, True], [False, True])
    ],
    "KYD": [
        dict(
            zip(
                ("otc_class_b_only", "sells_class2_devices", "sells_health_food", "apply_medical_insurance"),
                v,
                strict=True,
            )
        )
        for v in itertools.product([False, True], repeat=4)
    ],
}


def demo_catalog() -> Catalog:
    files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SCENARIOS.glob("*.yaml"))]
    result = check_files(Catalog(), files)
    assert result.problems == []
    return result.catalog


def plans(code: str) -> list[dict[str, Any]]:
    compiled = compile_thing(demo_catalog(), code)
    return [{"answers": answers, "plan": plan(compiled, answers).to_dict()} for answers in CASES[code]]


@pytest.mark.parametrize("code", sorted(CASES))
def test_demo_plans_match_the_golden_files(code):
    expected = json.loads((GOLDEN / f"{code}.json").read_text(encoding="utf-8"))
    got = plans(code)
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have == want, f"{code} {want['answers']}"


def test_the_kfg_thresholds_are_where_the_source_documents_put_them():
    compiled = compile_thing(demo_catalog(), "KFG")
    fire = {"ZJ-XFSJ", "ZJ-XFYS", "ZJ-XFBA"}

    def fire_items(area: float) -> set[str]:
        return {i.code for i in plan(compiled, {"area": area}).items} & fire

    assert fire_items(299.9) == set()  # < 300 m²: no fire-engineering item
    assert fire_items(300) == {"ZJ-XFBA"}  # 300–500 m²: completion filing
    assert fire_items(499.9) == {"ZJ-XFBA"}
    assert fire_items(500) == {"ZJ-XFSJ", "ZJ-XFYS"}  # ≥ 500 m²: design review + acceptance


if __name__ == "__main__":  # regenerate
    for code in sorted(CASES):
        (GOLDEN / f"{code}.json").write_text(
            json.dumps(plans(code), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {GOLDEN / f'{code}.json'}")
