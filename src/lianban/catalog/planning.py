"""Planning a thing from the catalog: one entry point for the API and the command line.

Both call :func:`plan_document`, so for the same input they return the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from lianban.catalog.selectors import compiled_thing
from lianban.core.errors import AnswersInvalid, DomainError
from lianban.core.explain import explain, explanations_to_dict
from lianban.core.form_fields import form_definitions
from lianban.core.planner import CompiledThing, plan


def plan_document(
    thing_code: str,
    answers: Mapping[str, Any],
    licences: Collection[str] = (),
    *,
    explained: bool = True,
    resolve: Callable[[str], CompiledThing] = compiled_thing,
) -> dict[str, Any]:
    """The plan for a thing and answers as the contract's JSON, with explanations.

    Raises:
        UnknownThing: no such thing.
        AnswersInvalid: bad answers, one problem per question.
        DependencyCycle: the included items' ordering is cyclic.
    """
    compiled = resolve(thing_code)
    result = plan(compiled, answers, licences)
    document = result.to_dict()
    document["field_definitions"] = form_definitions(compiled.field_definitions, result.fields)
    if explained:
        document["explanations"] = explanations_to_dict(
            explain(compiled, result.answers, licences, base=result), compiled
        )
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
