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


#: The overdue cases a bulletin names at most (the rest are counted).
BULLETIN_NAMES = 500
#: The length of the bulletin's top lists.
TOP = 5


def month_filters(month: str) -> Filters:
    """The filters of a calendar month written ``YYYY-MM`` (the bulletin's period).

    Raises:
        ValueError: not a month.
    """
    from datetime import date as _date

    year, number = (int(part) for part in month.split("-", 1))
    start = _date(year, number, 1)
    return Filters(start=start, end=selectors.period_end(start, "month"), grain="day")


def bulletin_document(f: Filters) -> dict[str, Any]:
    """The monthly bulletin (月度通报): the department ranking by on-time rate, the top lists, the departments
    without a case, and the overdue cases by name (a constant number of statements)."""
    from lianban.catalog.models import Department

    departments = selectors.breakdown("items", f, "department")
    names = selectors.labels(departments=[row["key"] for row in departments])
    ranking = []
    for row in departments:
        code, name = names.of("department", row["key"])
        ranking.append({**row, "code": code, "name": name})
    ranking.sort(key=lambda row: (-(row["on_time_rate"] or 0), row["overdue"], -row["received"], row["code"]))
    things = selectors.breakdown("packages", f, "thing")
    thing_names = selectors.labels(things=[row["key"] for row in things])
    seen = {row["key"] for row in departments}
    idle = Department.objects.exclude(pk__in=seen).order_by("code")
    if f.department is not None:
        idle = idle.filter(pk=f.department)
    overdue = selectors.drill_down("items", f, "overdue")
    named = list(
        overdue.order_by("due_on", "item_case").values_list(
            "case__tracking_code", "item_name", "department__name", "due_on", "finished_on", "provisional"
        )[: BULLETIN_NAMES + 1]
    )
    return {
        "period": period_document(f),
        "totals": selectors.totals("items", f),
        "ranking": ranking,
        "top_overdue": sorted(
            (row for row in ranking if row["overdue"]), key=lambda row: (-row["overdue"], row["code"])
        )[:TOP],
        "top_things": [
            {**row, "code": thing_names.of("thing", row["key"])[0], "name": thing_names.of("thing", row["key"])[1]}
            for row in things[:TOP]
        ],
        "idle": [(d.code, d.name) for d in idle],
        "overdue": named[:BULLETIN_NAMES],
        "overdue_more": len(named) > BULLETIN_NAMES,
    }
