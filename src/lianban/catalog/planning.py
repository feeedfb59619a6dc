"""Planning a thing from the catalog: one entry point for the API, the command line and the pages.

The API and the command line call :func:`plan_document`, so for the same input
they return the same JSON; the portal's menus read the typed :func:`planned`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from lianban.catalog.selectors import compiled_thing
from lianban.core.errors import AnswersInvalid, DomainError
from lianban.core.explain import QuestionExplanation, explain, explanations_to_dict
from lianban.core.planner import CompiledThing, Plan, plan


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan with the compiled thing it was made from and, when asked for, its explanations."""

    thing: CompiledThing
    plan: Plan
    explanations: tuple[QuestionExplanation, ...] = ()


def planned(
    thing_code: str,
    answers: Mapping[str, Any],
    licences: Collection[str] = (),
    *,
    explained: bool = True,
    resolve: Callable[[str], CompiledThing] = compiled_thing,
) -> Planned:
    """The plan for a thing and answers, typed, with explanations unless ``explained`` is False.

    Raises:
        UnknownThing: no such thing.
        AnswersInvalid: bad answers, one problem per question.
        DependencyCycle: the included items' ordering is cyclic.
    """
    compiled = resolve(thing_code)
    result = plan(compiled, answers, licences)
    if not explained:
        return Planned(compiled, result)
    return Planned(compiled, result, explain(compiled, result.answers, licences, base=result))


def plan_document(
    thing_code: str,
    answers: Mapping[str, Any],
    licences: Collection[str] = (),
    *,
    explained: bool = True,
    resolve: Callable[[str], CompiledThing] = compiled_thing,
) -> dict[str, Any]:
    """The plan for a thing and answers as the contract's JSON (:meth:`Plan.to_dict`), with explanations.

    Raises:
        UnknownThing: no such thing.
        AnswersInvalid: bad answers, one problem per question.
        DependencyCycle: the included items' ordering is cyclic.
    """
    result = planned(thing_code, answers, licences, explained=explained, resolve=resolve)
    document = result.plan.to_dict()
    if explained:
        document["explanations"] = explanations_to_dict(result.explanations, result.thing)
    return document


def plan_batch_line(line: str, resolve: Callable[[str], CompiledThing]) -> dict[str, Any]:
    """Plan one JSON Lines entry ``{"thing", "answers", "licences"}``; errors become ``{"error": ...}``."""
    import json

    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg} (column {exc.colno})"}
    if not isinstance(entry, dict):
        return {"error": 'each line must be an object {"thing": ..., "answers": {...}, "licences": [...]}'}
    unknown = sorted(set(entry) - {"thing", "answers", "licences"})
    if unknown:
        return {"error": f"unknown key(s): {', '.join(unknown)}"}
    thing = entry.get("thing")
    if not isinstance(thing, str):
        return {"error": '"thing" must be the code of a one-thing'}
    answers = entry.get("answers", {})
    licences = entry.get("licences", [])
    if not isinstance(licences, list) or not all(isinstance(code, str) for code in licences):
        return {"error": '"licences" must be a list of material codes'}
    try:
        return plan_document(thing, answers, licences, resolve=resolve)
    except AnswersInvalid as exc:
        return {"error": "invalid answers: " + "; ".join(str(p) for p in exc.problems)}
    except DomainError as exc:
        return {"error": exc.message}
