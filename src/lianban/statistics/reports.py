"""The statistics as the dashboards and the API show them: the figures with the codes and names of their keys.

A constant number of statements per document, whatever the number of cases.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from lianban.cases.models import Channel
from lianban.statistics import selectors
from lianban.statistics.selectors import Filters


def period_document(f: Filters) -> dict[str, Any]:
    """The header of every statistics answer: the period, the department it is limited to, when."""
    department = selectors.labels(departments=[f.department]).of("department", f.department)[0] if f.department else ""
    return {
        "start": f.start,
        "end": f.end,
        "grain": f.grain,
        "department": department,
        "generated_at": timezone.now(),
        "refreshed_at": selectors.refreshed_at(),
    }


def statistics_document(level: selectors.Level, f: Filters) -> dict[str, Any]:
    """Everything a dashboard shows of one level (a constant number of statements)."""
    dimensions = ["department", "channel", "thing", "window"] + (["item_code"] if level == "items" else [])
    raw = {by: selectors.breakdown(level, f, by) for by in dimensions}
    names = selectors.labels(
        departments=[r["key"] for r in raw["department"]],
        things=[r["key"] for r in raw["thing"]],
        windows=[r["key"] for r in raw["window"] if r["key"] is not None],
    )

    def named(by: str) -> list[dict[str, Any]]:
        rows = []
        for row in raw[by]:
            code, name = names.of(by, row["key"])
            if by == "channel":
                name = str(Channel(row["key"]).label)
            elif by == "item_code":
                name = ""
            rows.append({**row, "code": code, "name": name, "key": str(row["key"]) if by == "window" else code})
        return rows

    return {
        "period": period_document(f),
        "level": level,
        "totals": selectors.totals(level, f),
        "trend": selectors.trend(level, f),
        "departments": named("department"),
        "channels": named("channel"),
        "things": named("thing"),
        "items": named("item_code") if level == "items" else [],
        "windows": named("window"),
    }


def five_document(f: Filters) -> dict[str, Any]:
    """The realised 五减 per one-thing with its names."""
    rows = selectors.five_reductions(f)
    names = selectors.labels(things=[r["thing"] for r in rows])
    things = []
    for row in rows:
        code, name = names.of("thing", row["thing"])
        things.append({**row, "code": code, "name": name})
    return {"period": period_document(f), "things": things}


def heat_document(level: selectors.Level, f: Filters) -> dict[str, Any]:
    """The overdue heat table: overdue counts per department and period of the due date."""
    cells = selectors.overdue_heat(level, f)
    names = selectors.labels(departments=[c["department"] for c in cells])
    rows = []
    for cell in cells:
        code, name = names.of("department", cell["department"])
        rows.append({**cell, "department": code, "department_name": name})
    return {"period": period_document(f), "level": level, "cells": rows}
