"""bench/plan — plans per second, city-scale catalog against a minimal one, in one run.

Run: ``python3.11 dev.py bench plan`` (``--seconds``/``--rounds`` to change the effort).

Reports, measured interleaved in the same process:
  * city10  — a 10-item thing planned inside the city catalog (3,551 items, 300 things);
  * only10  — the same thing in a catalog holding nothing but its 10 items;
  * small3  — a 3-item thing in a 3-item catalog;
and the ratios: city10 cost / only10 cost (does catalog size matter?) and the
cost per planned item, city10 / small3. Goals: ≥ 5,000 plans/s; ratios ≤ 1.2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.harness import interleaved, machine, save
from bench.plan.citygen import bench_thing, city_catalog, only
from lianban.core.catalog_format import validate_catalog
from lianban.core.planner import compile_thing, plan

ANSWERS = {"area": 650, "staff": 60, "chain": True, "kind": "餐饮"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per sample")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved samples per case (median reported)")
    args = parser.parse_args()

    started = time.perf_counter()
    city = city_catalog()
    bench_thing(city, 10, "BENCH10")
    problems = validate_catalog(city)
    if problems:
        sys.exit("the generated catalog is invalid:\n" + "\n".join(map(str, problems[:10])))
    built = time.perf_counter() - started
    small_source = city_catalog(seed=3)
    bench_thing(small_source, 3, "BENCH3")
    small = only(small_source, "BENCH3")

    city10 = compile_thing(city, "BENCH10")
    only10 = compile_thing(only(city, "BENCH10"), "BENCH10")
    small3 = compile_thing(small, "BENCH3")
    sample = plan(city10, ANSWERS)
    assert sample.to_dict() == plan(only10, ANSWERS).to_dict(), "same thing, same plan, whatever the catalog"

    rates = interleaved(
        {
            "city10": lambda: plan(city10, ANSWERS),
            "only10": lambda: plan(only10, ANSWERS),
            "small3": lambda: plan(small3, ANSWERS),
            "city10_json": lambda: plan(city10, ANSWERS).to_dict(),
        },
        rounds=args.rounds,
        seconds=args.seconds,
    )
    size_ratio = rates["only10"] / rates["city10"]  # cost(city) / cost(only)
    per_item_ratio = (1 / rates["city10"] / len(sample.items)) / (1 / rates["small3"] / 3)
    report = {
        "benchmark": "plan",
        "catalog": {
            "items": len(city.items),
            "departments": len(city.departments),
            "things": len(city.things),
            "materials": len(city.materials),
            "build_and_validate_seconds": round(built, 2),
        },
        "thing": {
            "items_candidate": 10,
            "items_included": len(sample.items),
            "stages": len(sample.stages),
            "materials": len(sample.materials),
            "produced": sum(m.provenance == "produced" for m in sample.materials),
        },
        "plans_per_second": {k: round(v) for k, v in rates.items()},
        "ratios": {
            "cost_city_over_only_same_thing": round(size_ratio, 3),
            "cost_per_item_city10_over_small3": round(per_item_ratio, 3),
        },
        "goals": {
            "plans_per_second_min": 5000,
            "ratio_max": 1.2,
            "met": rates["city10"] >= 5000 and size_ratio <= 1.2,
        },
        "machine": machine(),
    }
    path = save("plan", report)
    print(f"catalog: {len(city.items)} items, {len(city.departments)} departments, {len(city.things)} things")
    print(
        f"10-item thing ({len(sample.items)} included, {len(sample.stages)} stages, {len(sample.materials)} materials)"
    )
    for name, value in rates.items():
        print(f"  {name:<12} {value:>9,.0f} plans/s")
    print(f"cost ratio, same thing, city catalog / only its items: {size_ratio:.3f}  (goal ≤ 1.2)")
    print(f"cost per planned item, city10 / small3:                {per_item_ratio:.3f}")
    print(f"goals met: {report['goals']['met']}   → {path}")


if __name__ == "__main__":
    main()
