"""A deterministic city-scale catalog: 3,551 items, 60 departments, 300 things of 3–15 items.

Items have a global rank; an item only needs licences produced by lower-ranked
items and ``after`` only points to lower ranks, so every thing is acyclic for
every answer, as an imported catalog must be. Conditions sit on items (in
things) and on materials, over questions every thing shares.
"""

from __future__ import annotations

import random

from lianban.core.catalog import (
    CATEGORIES,
    Catalog,
    Department,
    Item,
    ItemMaterial,
    Material,
    Question,
    Thing,
    ThingItem,
)

ITEMS = 3_551
DEPARTMENTS = 60
THINGS = 300
APPLICANT_MATERIALS = 1_500
FIELDS = [f"field_{i:03d}" for i in range(400)]
QUESTIONS = (
    Question("area", "经营面积(平方米)", "number", min=0, max=100_000),
    Question("staff", "从业人数", "number", min=0, max=10_000),
    Question("chain", "是否连锁经营", "boolean"),
    Question("kind", "经营类型", "choice", options=("零售", "批发", "餐饮", "住宿")),
)
ITEM_CONDITIONS = [
    "area >= 500",
    "area < 300",
    "area >= 300 and area < 500",
    "chain == true",
    "not chain",
    'kind in ["餐饮", "住宿"]',
    'kind == "零售" or staff > 50',
    "staff >= 10",
]
MATERIAL_CONDITIONS = ["area >= 1000", "chain", 'kind == "餐饮"', "staff > 100", "area < 200 or chain"]


def city_catalog(seed: int = 20261122) -> Catalog:
    """The benchmark catalog, always the same for the same seed."""
    rnd = random.Random(seed)
    departments = {f"D{i:02d}": Department(f"D{i:02d}", f"部门{i:02d}") for i in range(DEPARTMENTS)}
    materials = {
        f"A{i:04d}": Material(f"A{i:04d}", f"申请材料{i:04d}", "applicant") for i in range(APPLICANT_MATERIALS)
    }
    applicant_codes = list(materials)
    items: dict[str, Item] = {}
    licences_so_far: list[str] = []
    for rank in range(ITEMS):
        code = f"I{rank:04d}"
        produces: tuple[str, ...] = ()
        if rnd.random() < 0.6:
            licence = f"L{rank:04d}"
            materials[licence] = Material(licence, f"证照{rank:04d}", "licence")
            produces = (licence,)
        needs = [ItemMaterial(m) for m in rnd.sample(applicant_codes, rnd.randint(2, 8))]
        if licences_so_far:
            for licence in rnd.sample(licences_so_far[-400:], min(len(licences_so_far[-400:]), rnd.randint(0, 3))):
                needs.append(ItemMaterial(licence))
        needs = [
            ItemMaterial(n.material, when=rnd.choice(MATERIAL_CONDITIONS), required=rnd.random() < 0.8)
            if rnd.random() < 0.25
            else n
            for n in needs
        ]
        legal = rnd.choice([0, 1, 3, 5, 10, 15, 20, 30])
        items[code] = Item(
            code=code,
            name=f"事项{rank:04d}",
            department=rnd.choice(list(departments)),
            category=rnd.choice(CATEGORIES),
            legal_days=legal,
            promised_days=rnd.randint(0, legal),
            fee=rnd.choice([0, 0, 0, 50, 120.5]),
            online=rnd.random() < 0.5,
            materials=tuple(needs),
            produces=produces,
            fields=tuple(rnd.sample(FIELDS, rnd.randint(3, 12))),
        )
        licences_so_far.extend(produces)
    codes = list(items)
    things: dict[str, Thing] = {}
    for t in range(THINGS):
        start = rnd.randrange(0, ITEMS - 200)
        chosen = sorted(rnd.sample(codes[start : start + 200], rnd.randint(3, 15)))
        things[f"T{t:03d}"] = _thing(f"T{t:03d}", f"一件事{t:03d}", chosen, rnd)
    return Catalog(departments=departments, materials=materials, items=items, things=things)


def _thing(code: str, name: str, chosen: list[str], rnd: random.Random) -> Thing:
    entries = []
    for index, item in enumerate(chosen):
        earlier = chosen[:index]
        after = tuple(rnd.sample(earlier, min(len(earlier), rnd.randint(0, 2)))) if earlier else ()
        when = rnd.choice(ITEM_CONDITIONS) if index and rnd.random() < 0.4 else None
        entries.append(ThingItem(item, when=when, after=after))
    shuffled = entries[:1] + rnd.sample(entries[1:], len(entries) - 1)
    return Thing(code, name, "D00", tuple(shuffled), questions=QUESTIONS)


def bench_thing(catalog: Catalog, size: int, code: str, seed: int = 7) -> Thing:
    """Add a thing of exactly ``size`` related items to ``catalog``.

    Starting from an item that needs licences, the producers of those licences
    are pulled in (recursively), so some of the thing's materials are produced
    by its own earlier items; random items of the same range fill the rest.
    """
    rnd = random.Random(seed)
    producer = {p: item.code for item in catalog.items.values() for p in item.produces}
    pool = sorted(catalog.items)[2_000:2_400]
    chosen: list[str] = []
    todo = [next(c for c in reversed(pool) if any(n.material in producer for n in catalog.items[c].materials))]
    while todo and len(chosen) < size:
        current = todo.pop(0)
        if current in chosen:
            continue
        chosen.append(current)
        todo += [producer[n.material] for n in catalog.items[current].materials if n.material in producer]
    while len(chosen) < size:
        extra = rnd.choice(pool)
        if extra not in chosen:
            chosen.append(extra)
    thing = _thing(code, f"基准一件事{size}", sorted(chosen), rnd)
    catalog.things[code] = thing
    return thing


def only(catalog: Catalog, thing_code: str) -> Catalog:
    """A catalog holding just one thing, its items, their materials and departments."""
    thing = catalog.things[thing_code]
    items = {e.item: catalog.items[e.item] for e in thing.items}
    material_codes = {m.material for i in items.values() for m in i.materials} | {
        p for i in items.values() for p in i.produces
    }
    return Catalog(
        departments={
            d: catalog.departments[d] for d in {i.department for i in items.values()} | {thing.lead_department}
        },
        materials={m: catalog.materials[m] for m in material_codes},
        items=items,
        things={thing_code: thing},
    )
