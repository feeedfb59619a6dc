"""Whether some answers would make a thing's included items cyclic (checked at import).

The ordering of a thing's items depends on the answers: ``after`` edges pass
through excluded items, and produced → needed edges exist only when both items
are included and the material's condition holds. An import must refuse a
thing whose items *could* form a cycle, and accept one whose possible cycles
no answers can realise (for example, mutually exclusive conditions).

Only items on a cycle of the "every edge present" graph can ever be on a real
cycle, so each strongly connected component of that graph is searched on its
own, over the questions its conditions read. Each question takes one
representative value per class of answers the conditions can tell apart
(numbers: the thresholds they are compared with, the points between and
beyond, bounds included; text: each literal and a value equal to none; choices:
their options; booleans: both; optional questions: unanswered too). Questions
compared with each other share their thresholds and get as many distinct
values per interval as there are of them, so every order between them is tried.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence

from lianban.core.catalog import Question
from lianban.core.conditions import Compare, Expr, Name, Value, literals_compared_with, names_in
from lianban.core.planner import CompiledThing, PlanItem, ordering
from lianban.core.text import tx

#: Answer combinations tried per group of items before a possible cycle is refused to be safe.
CYCLE_SEARCH_LIMIT = 50_000
_OTHER = "\x00other"


def find_cycle(nodes: Iterable[str], preds: Mapping[str, Iterable[str]]) -> tuple[str, ...] | None:
    """A cycle of the predecessor graph as ``(a, b, ..., a)`` in execution order, or None.

    Iterative, so that long chains of items do not exhaust the call stack.
    """
    colour = dict.fromkeys(nodes, 0)  # 0 unseen, 1 on the current path, 2 done
    for root in list(colour):
        if colour[root]:
            continue
        colour[root] = 1
        path = [root]
        stack = [iter(preds.get(root, ()))]
        while stack:
            for pred in stack[-1]:
                state = colour.get(pred)
                if state == 1:
                    loop = [*path[path.index(pred) :], pred]
                    return tuple(reversed(loop))
                if state == 0:
                    colour[pred] = 1
                    path.append(pred)
                    stack.append(iter(preds.get(pred, ())))
                    break
            else:
                colour[path.pop()] = 2
                stack.pop()
    return None


def components(nodes: Sequence[str], preds: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components that hold a cycle, each in the order of ``nodes`` (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(preds.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in low and succ not in index and succ in preds:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(preds.get(succ, ()))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1 or node in set(preds.get(node, ())):
                    found.append(members)
    position = {code: i for i, code in enumerate(nodes)}
    return sorted(([c for c in nodes if c in members] for members in found), key=lambda c: position[c[0]])


def superset_preds(items: Sequence[PlanItem]) -> dict[str, set[str]]:
    """Every ordering edge any answers could create: ``after`` and produced → needed."""
    producers: dict[str, list[str]] = {}
    for item in items:
        for material in item.produces_order:
            producers.setdefault(material, []).append(item.code)
    preds: dict[str, set[str]] = {item.code: set() for item in items}
    for item in items:
        preds[item.code].update(code for code in item.after if code in preds)
        for need in item.needs:
            preds[item.code].update(p for p in producers.get(need.material, ()) if p != item.code)
    return preds


def possible_cycle(thing: CompiledThing) -> tuple[tuple[str, ...], dict[str, Value | None] | None] | None:
    """Whether some valid answers make the thing's included items cyclic.

    Returns:
        None when no answers can; else the cycle (in execution order) and
        answers that produce it, limited to the questions that matter (empty
        when the cycle is there whatever the answers; None when there were too
        many answer combinations to try, and the cycle is the one of the
        graph with every possible edge).
    """
    preds = superset_preds(thing.items)
    by_code = {item.code: item for item in thing.items}
    for members in components([item.code for item in thing.items], preds):
        group = set(members)
        exprs = [by_code[code].when.expr for code in members]
        exprs += [need.when.expr for code in members for need in by_code[code].needs]
        domains = answer_domains(thing.questions, exprs)
        combinations = math.prod(len(values) for _, values in domains)
        if combinations > CYCLE_SEARCH_LIMIT:
            loop = find_cycle(members, {c: [p for p in preds[c] if p in group] for c in members})
            if loop is not None:
                return loop, None
            continue
        keys = [key for key, _ in domains]
        combos = list(itertools.product(*(values for _, values in domains)))
        for values in combos:
            loop = _realised(thing, keys, values)
            if loop is not None:
                return loop, _fewest_answers(thing, keys, combos, values, loop)
    return None


def _realised(thing: CompiledThing, keys: Sequence[str], values: Sequence[Value | None]) -> tuple[str, ...] | None:
    answers = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
    included, order = ordering(thing, answers)
    return find_cycle([item.code for item in included], order)


def _fewest_answers(
    thing: CompiledThing,
    keys: Sequence[str],
    combos: Sequence[tuple[Value | None, ...]],
    witness: tuple[Value | None, ...],
    loop: tuple[str, ...],
) -> dict[str, Value | None]:
    """The witness answers, without the questions whose answer does not matter to this cycle.

    A question is left out when every combination agreeing with the answers
    kept (whatever the questions left out) still has the very same cycle.
    """
    holds: dict[tuple[Value | None, ...], bool] = {}

    def has_loop(values: tuple[Value | None, ...]) -> bool:
        if values not in holds:
            answers = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
            included, order = ordering(thing, answers)
            codes = {item.code for item in included}
            holds[values] = all(
                after in codes and before in order.get(after, ()) for before, after in itertools.pairwise(loop)
            )
        return holds[values]

    kept = list(range(len(keys)))
    for index in range(len(keys)):
        trial = [k for k in kept if k != index]
        if all(has_loop(c) for c in combos if all(c[k] == witness[k] for k in trial)):
            kept = trial
    return {keys[k]: witness[k] for k in kept}


def answer_domains(questions: Sequence[Question], exprs: Sequence[Expr]) -> list[tuple[str, list[Value | None]]]:
    """One representative answer per class of answers the expressions can tell apart.

    Only questions the expressions read are listed, in the order of ``questions``.
    """
    mentioned = {name for expr in exprs for name in names_in(expr)}
    asked = [q for q in questions if q.key in mentioned]
    by_key = {q.key: q for q in asked}
    groups = _groups([q.key for q in asked], [pair for expr in exprs for pair in _name_pairs(expr)])
    literals: dict[str, list[Value]] = {
        q.key: [v for expr in exprs for v in literals_compared_with(expr, q.key)] for q in asked
    }
    domains: dict[str, list[Value | None]] = {}
    for group in groups:
        members = [by_key[key] for key in group]
        shared = [v for key in group for v in literals[key]]
        for q in members:
            values: list[Value | None]
            if q.type == "boolean":
                values = [True, False]
            elif q.type == "choice":
                values = list(q.options or ())
            elif q.type == "text":
                texts = [v for v in shared if isinstance(v, str)]
                texts += [o for m in members if m.type == "choice" for o in (m.options or ())]
                values = [*dict.fromkeys(texts), *(f"{_OTHER}{i}" for i in range(len(group)))]
            else:
                values = _number_values(q, members, [v for v in shared if not isinstance(v, bool | str)])
            if not q.required:
                values.append(None)
            domains[q.key] = values
    return [(q.key, domains[q.key]) for q in asked]


def _name_pairs(expr: Expr) -> Iterable[tuple[str, str]]:
    """Pairs of question keys compared with each other."""
    if isinstance(expr, Compare):
        for left, right in itertools.pairwise(expr.operands):
            if isinstance(left, Name) and isinstance(right, Name):
                yield left.key, right.key
    for child in _children(expr):
        yield from _name_pairs(child)


def _children(expr: Expr) -> tuple[Expr, ...]:
    operands = getattr(expr, "operands", None)
    if operands is not None:
        return tuple(operands)
    operand = getattr(expr, "operand", None)
    return (operand,) if operand is not None else ()


def _groups(keys: Sequence[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in pairs:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    grouped: dict[str, list[str]] = {}
    for key in keys:
        grouped.setdefault(root(key), []).append(key)
    return list(grouped.values())


def _number_values(
    question: Question, members: Sequence[Question], thresholds: list[int | float]
) -> list[Value | None]:
    bounds = [b for m in members for b in (m.min, m.max) if b is not None]
    points = sorted(set(thresholds) | set(bounds))
    k = len(members)
    if not points:
        candidates: list[float] = [float(i) for i in range(k)]
    else:
        candidates = list(points)
        candidates += [points[0] - j for j in range(1, k + 1)]
        candidates += [points[-1] + j for j in range(1, k + 1)]
        for low, high in itertools.pairwise(points):
            candidates += [low + (high - low) * j / (k + 1) for j in range(1, k + 1)]
    lo = question.min if question.min is not None else -math.inf
    hi = question.max if question.max is not None else math.inf
    inside = sorted({_tidy(c) for c in candidates if lo <= c <= hi})
    if not inside:
        inside = [lo if math.isfinite(lo) else hi]
    return list(inside)


def _tidy(value: float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def answer_text(value: Value | None) -> str:
    """An answer as messages show it."""
    if value is None:
        return tx("(unanswered)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return tx("(any other text)") if value.startswith(_OTHER) else json.dumps(value, ensure_ascii=False)
    return f"{value:g}" if isinstance(value, float) else str(value)
