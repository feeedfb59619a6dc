"""Properties of plans over random catalogs, and agreement with a naive reference planner.

The reference below is written from the contract's text, deliberately in a
different style from ``lianban.core.planner``: conditions are Python lambdas
(not the condition compiler), "comes before" is a full transitive closure (not
direct edges), stages and days are computed by fixpoint iteration.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lianban.core.catalog import Catalog, Department, Item, ItemMaterial, Material, Question, Thing, ThingItem
from lianban.core.catalog_format import validate_catalog
from lianban.core.planner import compile_thing, plan

# Condition pool: text for the catalog, and the reference semantics (None = unanswered → whole condition false).


class Unanswered(Exception):
    pass


def need(answers: dict[str, Any], key: str) -> Any:
    value = answers.get(key)
    if value is None:
        raise Unanswered(key)
    return value


CONDITIONS: dict[str, Any] = {
    "area >= 500": lambda a: need(a, "area") >= 500,
    "area < 300": lambda a: need(a, "area") < 300,
    "area >= 300 and area < 500": lambda a: 300 <= need(a, "area") < 500,
    "flag": lambda a: need(a, "flag"),
    "not flag": lambda a: not need(a, "flag"),
    'kind == "a"': lambda a: need(a, "kind") == "a",
    'kind in ["b", "c"]': lambda a: need(a, "kind") in ("b", "c"),
    "opt > 10": lambda a: need(a, "opt") > 10,
    "flag or opt <= 5": lambda a: need(a, "flag") or need(a, "opt") <= 5,
    'not (area < 100 or kind == "c")': lambda a: not (need(a, "area") < 100 or need(a, "kind") == "c"),
}


def holds(text: str | None, answers: dict[str, Any]) -> bool:
    if text is None:
        return True
    try:
        return bool(CONDITIONS[text](answers))
    except Unanswered:
        return False


QUESTIONS = (
    Question("area", "面积", "number", min=0, max=1000),
    Question("flag", "是否", "boolean"),
    Question("kind", "类型", "choice", options=("a", "b", "c")),
    Question("opt", "可选", "number", min=0, max=20, required=False),
)
MATERIALS = [f"M{i}" for i in range(7)]
FIELDS = [f"f{i}" for i in range(6)]
conditions = st.one_of(st.none(), st.sampled_from(sorted(CONDITIONS)))


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[Catalog, dict[str, Any], tuple[str, ...]]:
    """A valid random catalog with one thing, answers and a licence library."""
    n = draw(st.integers(1, 8))
    codes = [f"I{i}" for i in range(n)]
    sources = {m: draw(st.sampled_from(["applicant", "licence"])) for m in MATERIALS}
    produces = {c: draw(st.lists(st.sampled_from(MATERIALS), unique=True, max_size=2)) for c in codes}
    items = {}
    for index, code in enumerate(codes):
        # A material produced by a later item is never needed (keeps every answer acyclic).
        later = {m for c in codes[index + 1 :] for m in produces[c]}
        allowed = [m for m in MATERIALS if m not in later]
        needs = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=4)) if allowed else []
        legal = draw(st.integers(0, 20))
        items[code] = Item(
            code=code,
            name=f"事项{code}",
            department=draw(st.sampled_from(["D0", "D1", "D2"])),
            legal_days=legal,
            promised_days=draw(st.integers(0, legal)),
            fee=draw(st.sampled_from([0, 10, 12.5])),
            online=draw(st.booleans()),
            materials=tuple(
                ItemMaterial(
                    material=m,
                    when=draw(conditions),
                    required=draw(st.booleans()),
                    tolerable=draw(st.booleans()),
                )
                for m in needs
            ),
            produces=tuple(produces[code]),
            fields=tuple(draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=4))),
        )
    # The thing lists items in a shuffled order; `after` only names items earlier in the hidden order.
    order = draw(st.permutations(codes))
    thing_items = tuple(
        ThingItem(
            item=code,
            when=draw(conditions),
            after=tuple(draw(st.lists(st.sampled_from(codes[: codes.index(code)]), unique=True, max_size=3)))
            if codes.index(code)
            else (),
        )
        for code in order
    )
    catalog = Catalog(
        departments={d: Department(d, d) for d in ("D0", "D1", "D2")},
        materials={m: Material(m, f"材料{m}", sources[m]) for m in MATERIALS},
        items=items,
        things={"T": Thing("T", "一件事", "D0", thing_items, questions=QUESTIONS)},
    )
    answers = {
        "area": draw(st.one_of(st.integers(0, 1000), st.floats(0, 1000, allow_nan=False))),
        "flag": draw(st.booleans()),
        "kind": draw(st.sampled_from(["a", "b", "c"])),
    }
    opt = draw(st.one_of(st.none(), st.integers(0, 20)))
    if opt is not None:
        answers["opt"] = opt
    licences = tuple(draw(st.lists(st.sampled_from(MATERIALS), unique=True, max_size=4)))
    return catalog, answers, licences


# ----------------------------------------------------------------- the reference


def reference_plan(catalog: Catalog, answers: dict[str, Any], licences: tuple[str, ...]) -> dict[str, Any]:
    thing = catalog.things["T"]
    entries = {ti.item: ti for ti in thing.items}
    order = [ti.item for ti in thing.items]
    included = [c for c in order if holds(entries[c].when, answers)]

    def needed(code: str) -> list[ItemMaterial]:
        return [m for m in catalog.items[code].materials if holds(m.when, answers)]

    def through(code: str) -> set[str]:
        """Included items reached from `code` by `after`, passing through excluded ones."""
        if code in included:
            return {code}
        found: set[str] = set()
        for before in entries[code].after:
            found |= through(before)
        return found

    preds: dict[str, set[str]] = {c: set() for c in included}
    for b in included:
        for a in entries[b].after:
            preds[b] |= through(a)
        for m in needed(b):
            for a in included:
                if a != b and m.material in catalog.items[a].produces:
                    preds[b].add(a)
    # transitive closure
    before = {c: set(preds[c]) for c in included}
    changed = True
    while changed:
        changed = False
        for c in included:
            extra = set().union(*(before[p] for p in before[c])) - before[c] if before[c] else set()
            if extra:
                before[c] |= extra
                changed = True
    stage = dict.fromkeys(included, 1)
    finish = {c: catalog.items[c].promised_days for c in included}
    for _ in included:
        for c in included:
            stage[c] = max([1] + [stage[p] + 1 for p in preds[c]])
            finish[c] = catalog.items[c].promised_days + max([0] + [finish[p] for p in preds[c]])
    materials: dict[str, dict[str, Any]] = {}
    for c in included:
        for m in needed(c):
            entry = materials.setdefault(m.material, {"needed_by": [], "required": False})
            entry["needed_by"].append(c)
            entry["required"] = entry["required"] or m.required
    for code, entry in materials.items():
        producer = next(
            (
                a
                for a in included
                if code in catalog.items[a].produces and all(a in before[n] for n in entry["needed_by"])
            ),
            None,
        )
        entry["produced_by"] = producer
        if producer:
            entry["provenance"] = "produced"
        elif catalog.materials[code].source == "licence" and code in licences:
            entry["provenance"] = "licence"
        else:
            entry["provenance"] = "submit"
        entry["needed_by"] = sorted(entry["needed_by"])
    fields = {f for c in included for f in catalog.items[c].fields}
    all_online = all(catalog.items[c].online for c in included)
    serial = sum(catalog.items[c].legal_days for c in included)
    plan_days = max([0, *finish.values()])
    return {
        "stages": [[c for c in included if stage[c] == k] for k in range(1, max([0, *stage.values()]) + 1)],
        "materials": materials,
        "fields": fields,
        "serial_days": serial,
        "plan_days": plan_days,
        "reductions": {
            "before": {
                "departments": len({catalog.items[c].department for c in included}),
                "trips": sum(0 if catalog.items[c].online else 2 for c in included),
                "forms": len(included),
                "fields": sum(len(catalog.items[c].fields) for c in included),
                "materials": sum(1 for c in included for m in needed(c) if m.required),
                "days": serial,
            },
            "after": {
                "departments": 0 if all_online else 1,
                "trips": 0 if all_online else 1,
                "forms": 1,
                "fields": len(fields),
                "materials": sum(1 for e in materials.values() if e["required"] and e["provenance"] == "submit"),
                "days": plan_days,
            },
        },
    }


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(catalogs())
def test_random_catalogs_are_valid_for_import(sample):
    catalog, _, _ = sample
    assert validate_catalog(catalog) == []


@SETTINGS
@given(catalogs())
def test_plans_agree_with_the_reference_planner(sample):
    catalog, answers, licences = sample
    got = plan(compile_thing(catalog, "T"), answers, licences).to_dict()
    want = reference_plan(catalog, answers, licences)
    assert got["stages"] == want["stages"]
    assert {
        m["code"]: {
            "needed_by": sorted(m["needed_by"]),
            "required": m["required"],
            "produced_by": m["produced_by"],
            "provenance": m["provenance"],
        }
        for m in got["materials"]
    } == want["materials"]
    assert set(got["fields"]) == want["fields"]
    assert got["serial_days"] == want["serial_days"]
    assert got["plan_days"] == want["plan_days"]
    assert got["reductions"] == want["reductions"]


@SETTINGS
@given(catalogs())
def test_every_ordering_edge_goes_from_an_earlier_to_a_later_stage(sample):
    catalog, answers, licences = sample
    p = plan(compile_thing(catalog, "T"), answers, licences)
    stage = {i.code: i.stage for i in p.items}
    for item in p.items:
        for before in item.after:
            assert stage[before] < item.stage
        # and an item with predecessors starts exactly when the last one finishes
        finish = {i.code: i.finish_day for i in p.items}
        assert item.start_day == max([0] + [finish[b] for b in item.after])


@SETTINGS
@given(catalogs())
def test_each_material_appears_once_and_produced_only_when_its_producer_precedes_every_needer(sample):
    catalog, answers, licences = sample
    p = plan(compile_thing(catalog, "T"), answers, licences)
    codes = [m.code for m in p.materials]
    assert len(codes) == len(set(codes))
    preds = {i.code: set(i.after) for i in p.items}

    def precedes(a: str, b: str) -> bool:
        seen, todo = set(), list(preds[b])
        while todo:
            x = todo.pop()
            if x == a:
                return True
            if x not in seen:
                seen.add(x)
                todo.extend(preds[x])
        return False

    for m in p.materials:
        if m.provenance == "produced":
            assert m.produced_by is not None
            assert all(precedes(m.produced_by, n) for n in m.needed_by)
        else:
            assert m.produced_by is None


@SETTINGS
@given(catalogs())
def test_plan_days_never_exceed_serial_days(sample):
    catalog, answers, licences = sample
    p = plan(compile_thing(catalog, "T"), answers, licences)
    assert p.plan_days <= p.serial_days


@SETTINGS
@given(catalogs())
def test_the_same_input_always_gives_the_same_plan(sample):
    catalog, answers, licences = sample
    first = plan(compile_thing(catalog, "T"), answers, licences).to_dict()
    again = plan(compile_thing(catalog, "T"), dict(reversed(list(answers.items()))), tuple(reversed(licences)))
    assert again.to_dict() == first


@settings(max_examples=100, deadline=None)
@given(catalogs())
def test_the_cycle_check_at_import_accepts_every_acyclic_random_catalog(sample):
    catalog, _, _ = sample
    assume(catalog.things["T"].items)
    assert [p for p in validate_catalog(catalog) if "cycle" in p.message] == []
