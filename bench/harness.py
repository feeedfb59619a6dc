"""Timing helpers shared by the benchmarks: interleaved repeats, medians, reports."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
#: Personal-data keys of the benchmarks' own databases (fake data; never a deployment's keys).
BENCH_DATA_KEYS = "b1:YmVuY2gtZGF0YS1rZXktMQ=="
BENCH_LOOKUP_KEY = "YmVuY2gtbG9va3VwLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        fn()
    calls, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        calls += 50
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


def interleaved(cases: dict[str, Callable[[], object]], *, rounds: int, seconds: float) -> dict[str, float]:
    """Median calls/s per case; cases alternate within each round so load hits them alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(rate(fn, seconds))
    return {name: statistics.median(values) for name, values in samples.items()}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import os

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def save(name: str, report: dict[str, Any]) -> Path:
    """Write the report as JSON next to the benchmarks."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
