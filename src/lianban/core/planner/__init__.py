"""Planning: a thing plus answers gives the applicant's customised plan.

Implements "Planning semantics" of ``lianban-catalog/1`` to the letter:

1. included items are the thing's items whose ``when`` holds;
2. ordering comes from ``after`` (passing through excluded items by their own
   ``after``) and from produced → needed materials (never from an item to
   itself); a cycle is an error that names it;
3. stages are longest-path layers;
4. materials are listed once with ``needed_by``, ``required`` and one
   provenance (``produced`` > ``licence`` > ``submit``);
5. the form is the union of fields;
6. ``serial_days`` sums ``legal_days``, ``plan_days`` is the longest path of
   ``promised_days``;
7. the 五减 reductions compare separate handling with the one-thing.

A thing is compiled once (conditions parsed and type-checked, lookups built);
planning then touches only that thing, so its cost does not depend on the size
of the catalog.

Modules: :mod:`.compiled` (the compiled thing), :mod:`.answers` (checking
answers), :mod:`.ordering` (rules 1 to 3), :mod:`.build` (:func:`plan`, the
other rules), :mod:`.document` (the :class:`Plan` and its versioned JSON).
Everything is importable from this package.
"""

from lianban.core.planner.answers import MAX_NUMBER, number_text, validate_answers
from lianban.core.planner.build import plan
from lianban.core.planner.compiled import (
    CompiledThing,
    MaterialInfo,
    NeedSpec,
    PlanItem,
    compile_thing,
    material_condition_env,
    question_env,
)
from lianban.core.planner.document import (
    PLAN_SCHEMA_VERSION,
    CandidateExplanation,
    MaterialUse,
    Plan,
    PlanHeading,
    PlannedItem,
    PlannedMaterial,
    PlanSchemaError,
)
from lianban.core.planner.ordering import find_cycle, layers, ordering

__all__ = [
    "MAX_NUMBER",
    "PLAN_SCHEMA_VERSION",
    "CandidateExplanation",
    "CompiledThing",
    "MaterialInfo",
    "MaterialUse",
    "NeedSpec",
    "Plan",
    "PlanHeading",
    "PlanItem",
    "PlanSchemaError",
    "PlannedItem",
    "PlannedMaterial",
    "compile_thing",
    "find_cycle",
    "layers",
    "material_condition_env",
    "number_text",
    "ordering",
    "plan",
    "question_env",
    "validate_answers",
]
