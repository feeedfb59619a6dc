"""The rules of ``lianban-catalog/1`` between entries (shared by import and admin).

Departments, materials and items that must exist; material conditions checked
against every thing including the item; orderings that some answers would make
cyclic. Values unusable in the file (``broken`` paths) are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lianban.core.catalog import ANSWER_FILLS, FIELD_TYPES, Catalog, Thing
from lianban.core.catalog_format.cycles import CYCLE_SEARCH_LIMIT, answer_text, possible_cycle
from lianban.core.catalog_format.reading import Issue, Key
from lianban.core.catalog_format.rules import (
    Broken,
    QuestionEnv,
    Sink,
    condition_names,
    condition_problem,
    question_env,
)
from lianban.core.conditions import QuestionType
from lianban.core.errors import ConditionError
from lianban.core.planner import compile_thing
from lianban.core.text import Text, joined, tx


def reference_issues(
    catalog: Catalog,
    broken: Mapping[Key, Broken],
    troubled: Collection[Key] = (),
    *,
    unsure: Collection[str] = (),
) -> dict[Key, list[Issue]]:
    """What is wrong between entries: unknown codes, material conditions, cycles.

    Args:
        catalog: the whole catalog.
        broken: (kind, code) → paths that were unusable in the file.
        troubled: entries known to have other problems (their things are not
            checked for cycles, which would only repeat them).
        unsure: kinds of which some entry of the files could not be read at
            all; references to that kind are not reported unknown (they may
            be the unreadable entry), nor names of things' questions.

    Returns:
        (kind, code) → issues, for the entries that have some.
    """
    found: dict[Key, list[Issue]] = {}

    def sink_for(kind: str, code: str) -> Sink:
        return Sink(broken.get((kind, code), ()))

    including: dict[str, list[Thing]] = {}
    envs: dict[str, QuestionEnv] = {}
    for thing in catalog.things.values():
        envs[thing.code] = question_env(thing, broken.get(("thing", thing.code), ()))
        for entry in thing.items:
            if thing not in including.setdefault(entry.item, []):
                including[entry.item].append(thing)

    for code, item in catalog.items.items():
        s = sink_for("item", code)
        if item.department and item.department not in catalog.departments and "department" not in unsure:
            s.check("department", tx("unknown department %(code)s", code=repr(item.department)))
        for index, need in enumerate(item.materials):
            path = f"materials[{index}]"
            if need.material and need.material not in catalog.materials and "material" not in unsure:
                s.check(f"{path}.material", tx("unknown material %(code)s", code=repr(need.material)))
            if need.when is not None and s.ok(f"{path}.when") and condition_problem(need.when, None) is None:
                problem = _material_condition_problem(
                    need.when, including.get(item.code, []), envs, all_things="thing" not in unsure
                )
                if problem is not None:
                    s.add(f"{path}.when ({need.material})", problem)
        for index, produced in enumerate(item.produces):
            if produced and produced not in catalog.materials and "material" not in unsure:
                s.check(f"produces[{index}]", tx("unknown material %(code)s", code=repr(produced)))
        if s.issues:
            found[("item", code)] = s.issues

    for key, definition in catalog.fields.items():
        s = sink_for("field", key)
        problem = _prefill_answer_problem(definition.prefill, definition.type, key, catalog, including)
        if problem is not None and s.ok("type"):
            s.check("prefill", problem)
        if s.issues:
            found[("field", key)] = s.issues

    for code, thing in catalog.things.items():
        s = sink_for("thing", code)
        if thing.lead_department and thing.lead_department not in catalog.departments and "department" not in unsure:
            s.check("lead_department", tx("unknown department %(code)s", code=repr(thing.lead_department)))
        for index, entry in enumerate(thing.items):
            if entry.item and entry.item not in catalog.items and "item" not in unsure:
                s.check(f"items[{index}].item", tx("unknown item %(code)s", code=repr(entry.item)))
        if s.issues:
            found[("thing", code)] = s.issues

    def clean(kind: str, code: str) -> bool:
        key = (kind, code)
        return key not in found and key not in troubled

    for code, thing in catalog.things.items():
        if not clean("thing", code) or not all(
            entry.item in catalog.items and clean("item", entry.item) for entry in thing.items
        ):
            continue
        message = _cycle_message(catalog, code)
        if message is not None:
            found.setdefault(("thing", code), []).append(Issue("items", message))
    return found


def _prefill_answer_problem(
    prefill: str | None, field_type: str, key: str, catalog: Catalog, including: Mapping[str, list[Thing]]
) -> Text | None:
    """``answer.KEY``: each question KEY of a thing asking this field must be able to fill its type."""
    if prefill is None or not prefill.startswith("answer.") or field_type not in FIELD_TYPES:
        return None
    name = prefill.removeprefix("answer.")
    seen: set[str] = set()
    for item in catalog.items.values():
        if key not in item.fields:
            continue
        for thing in including.get(item.code, []):
            if thing.code in seen:
                continue
            seen.add(thing.code)
            for question in thing.questions:
                fills = ANSWER_FILLS.get(question.type)
                if question.key == name and fills is not None and field_type not in fills:
                    return tx(
                        "answer %(key)s of thing %(thing)s is a %(qtype)s question: it cannot fill a %(type)s field",
                        key=name,
                        thing=thing.code,
                        qtype=question.type,
                        type=field_type,
                    )
    return None


def _material_condition_problem(
    text: str, things: list[Thing], envs: Mapping[str, QuestionEnv], *, all_things: bool
) -> Text | None:
    """A material condition may read the questions of every thing including its item."""
    if not things:
        # Not yet part of any thing (things may come in a later file): syntax is
        # checked alone; names and types once a thing includes the item.
        return None
    names = condition_names(text)
    if all_things and all(envs[t.code].complete for t in things):
        known = {key for t in things for key in (*envs[t.code].types, *envs[t.code].uncertain)}
        unknown = [name for name in names if name not in known]
        if unknown:
            codes = ", ".join(t.code for t in things)
            return tx(
                "unknown name %(name)s (not a question of %(things)s) in condition %(condition)s",
                name=repr(unknown[0]),
                things=codes,
                condition=repr(text),
            )
    for thing in things:
        env = _material_env(thing, things, envs)
        if env.can_check(names):
            problem = condition_problem(text, env.types)
            if problem is not None:
                return tx("%(problem)s (with the questions of thing %(thing)s)", problem=problem, thing=thing.code)
    return None


def _material_env(thing: Thing, things: list[Thing], envs: Mapping[str, QuestionEnv]) -> QuestionEnv:
    """As :func:`lianban.core.planner.material_condition_env`: own questions first, others fill in."""
    own = envs[thing.code]
    types = dict(own.types)
    uncertain = set(own.uncertain)
    for other in things:
        other_env = envs[other.code]
        uncertain |= {key for key in other_env.uncertain if key not in types}
        for key, qtype in other_env.types.items():
            if key not in types:
                if key not in uncertain:
                    types[key] = qtype
            elif types[key].type == "choice" and qtype.type == "choice":
                types[key] = QuestionType("choice", tuple(dict.fromkeys(types[key].options + qtype.options)))
    return QuestionEnv(types, frozenset(uncertain), all(envs[t.code].complete for t in things))


def _cycle_message(catalog: Catalog, code: str) -> Text | None:
    try:
        compiled = compile_thing(catalog, code)
    except (ConditionError, KeyError):  # only for data stored before its rules: its own problems come first
        return None
    found = possible_cycle(compiled)
    if found is None:
        return None
    loop, answers = found
    path = " → ".join(loop)
    if answers is None:
        return tx(
            "items could form a cycle: %(path)s (more than %(limit)s answer combinations "
            "to rule it out; refused to be safe)",
            path=path,
            limit=CYCLE_SEARCH_LIMIT,
        )
    if not answers:
        return tx("items form a cycle whatever the answers: %(path)s", path=path)
    given = joined(tx("%(key)s=%(value)s", key=key, value=answer_text(value)) for key, value in answers.items())
    return tx("items could form a cycle: %(path)s (for answers %(answers)s)", path=path, answers=given)
