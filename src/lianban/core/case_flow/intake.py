"""What intake needs decided: whether the case may be accepted, and what a correction notice lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lianban.core.case_flow.states import CheckResult


@dataclass(frozen=True, slots=True)
class MaterialAtIntake:
    """One material of the case as the clerk sees it at intake.

    Attributes:
        code: The material code.
        provenance: ``submit``, ``licence`` or ``produced``.
        required: Whether some included item requires it.
        tolerable: Whether it may be missing at acceptance against a promise (容缺).
        check: The clerk's verdict in the current intake round (None: not checked).
        promised: Whether the applicant has promised in writing to supply it later.
    """

    code: str
    provenance: str
    required: bool
    tolerable: bool = False
    check: CheckResult | None = None
    promised: bool = False


def acceptance_problems(materials: Sequence[MaterialAtIntake]) -> tuple[tuple[str, str], ...]:
    """What stands in the way of accepting the case, per material.

    Only materials the applicant submits are checked: ``licence`` materials
    come from the library, ``produced`` ones from earlier items. A required
    material must be checked OK, except a tolerable one that is missing
    against a written promise (容缺). Optional materials never block.

    Args:
        materials: Every material of the case with the current round's checks.

    Returns:
        ``(material code, problem)`` pairs; empty when the case can be accepted.
    """
    problems: list[tuple[str, str]] = []
    for m in materials:
        if m.provenance != "submit" or not m.required or m.check is CheckResult.OK:
            continue
        if m.tolerable and m.promised and m.check in (None, CheckResult.MISSING):
            continue
        if m.check is None:
            problems.append((m.code, "not checked"))
        elif m.tolerable and m.check is CheckResult.MISSING:
            problems.append((m.code, "missing without a written promise"))
        else:
            problems.append((m.code, "missing" if m.check is CheckResult.MISSING else "wrong"))
    return tuple(problems)


def correction_items(materials: Sequence[MaterialAtIntake]) -> tuple[str, ...]:
    """The materials a correction notice lists: every one checked missing or wrong.

    Args:
        materials: Every material of the case with the current round's checks.

    Returns:
        The material codes, in the given order.
    """
    return tuple(m.code for m in materials if m.check in (CheckResult.MISSING, CheckResult.WRONG))
