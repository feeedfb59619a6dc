"""Rules 1 to 3 of planning: which items are included, their order, and the stages (longest-path layers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lianban.core.conditions import Value
from lianban.core.errors import DependencyCycle
from lianban.core.planner.compiled import CompiledThing, PlanItem


def ordering(thing: CompiledThing, answers: Mapping[str, Value]) -> tuple[list[PlanItem], dict[str, list[str]]]:
    """Rules 1 and 2: the included items and each one's direct predecessors.

    Predecessor lists are in the order of the thing's items. Linear in the size
    of the thing (no recursion: chains of thousands of excluded items are fine).
    """
    included = [item for item in thing.items if item.when.holds(answers)]
    included_codes = {item.code for item in included}
    by_code = {item.code: item for item in thing.items}
    position = {item.code: item.position for item in thing.items}
    through = _through_excluded(by_code, included_codes)

    producers: dict[str, list[str]] = {}
    for item in included:
        for material in item.produces_order:
            producers.setdefault(material, []).append(item.code)

    preds: dict[str, list[str]] = {}
    for item in included:
        found: set[str] = set()
        for before in item.after:
            if before in included_codes:
                found.add(before)
            else:
                found |= through.get(before, frozenset())
        for need in item.needs:
            if need.material in producers and need.when.holds(answers):
                found.update(p for p in producers[need.material] if p != item.code)
        found.discard(item.code)
        preds[item.code] = sorted(found, key=position.__getitem__)
    return included, preds


def _through_excluded(by_code: Mapping[str, PlanItem], included: set[str]) -> dict[str, frozenset[str]]:
    """For each excluded item, the included items its ``after`` reaches through excluded ones.

    Iterative depth-first search with memoisation; a loop among excluded items
    (which import refuses) contributes nothing instead of recursing forever.
    """
    result: dict[str, frozenset[str]] = {}
    for root in by_code:
        if root in included or root in result:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_stack = {root}
        gathered: dict[str, set[str]] = {root: set()}
        while stack:
            code, index = stack[-1]
            after = by_code[code].after
            if index < len(after):
                stack[-1] = (code, index + 1)
                before = after[index]
                if before in included:
                    gathered[code].add(before)
                elif before in result:
                    gathered[code] |= result[before]
                elif before not in on_stack and before in by_code:
                    stack.append((before, 0))
                    on_stack.add(before)
                    gathered[before] = set()
                continue
            stack.pop()
            on_stack.discard(code)
            result[code] = frozenset(gathered.pop(code))
            if stack:
                gathered[stack[-1][0]] |= result[code]
    return result


def find_cycle(nodes: Iterable[str], preds: Mapping[str, Iterable[str]]) -> tuple[str, ...] | None:
    """A cycle in the predecessor graph as ``(a, b, ..., a)`` in execution order, or None.

    Iterative (an explicit stack), so very long chains do not hit Python's recursion limit.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    for root in list(colour):
        if colour[root] != white:
            continue
        path: list[str] = [root]
        iterators = [iter(preds.get(root, ()))]
        colour[root] = grey
        while path:
            pred = next(iterators[-1], None)
            if pred is None:
                colour[path.pop()] = black
                iterators.pop()
                continue
            state = colour.get(pred)
            if state == grey:
                loop = [*path[path.index(pred) :], pred]
                return tuple(reversed(loop))
            if state == white:
                colour[pred] = grey
                path.append(pred)
                iterators.append(iter(preds.get(pred, ())))
    return None


def layers(included: list[PlanItem], preds: Mapping[str, list[str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Longest-path stage numbers and finish days (promised_days) per item.

    Kahn's algorithm: each item is settled once all its predecessors are, so the
    cost is linear in items plus ordering edges.
    """
    stage: dict[str, int] = {}
    finish: dict[str, int] = {}
    promised = {item.code: item.promised_days for item in included}
    waiting = {code: len(before) for code, before in preds.items()}
    successors: dict[str, list[str]] = {code: [] for code in preds}
    for code, before in preds.items():
        for pred in before:
            successors[pred].append(code)
    ready = [item.code for item in included if not preds[item.code]]
    while ready:
        code = ready.pop()
        before = preds[code]
        stage[code] = 1 + max((stage[p] for p in before), default=0)
        finish[code] = promised[code] + max((finish[p] for p in before), default=0)
        for succ in successors[code]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                ready.append(succ)
    if len(stage) < len(included):
        left = [item.code for item in included if item.code not in stage]
        cycle = find_cycle(left, {c: [p for p in preds[c] if p not in stage] for c in left})
        raise DependencyCycle(cycle or tuple(left))
    return stage, finish
