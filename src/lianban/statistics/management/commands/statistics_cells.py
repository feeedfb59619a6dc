"""``lianban statistics_cells``: compute the month cells again from the fact rows (after a bulk load)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from lianban.statistics import cells


class Command(BaseCommand):
    help = (
        "Compute the statistics' month cells again from the fact rows, kept through today (after fact rows were "
        "loaded other than by the fact refresh; the refresh keeps them current itself)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = cells.rebuild()
        self.stdout.write(f"{written} month cell(s) written in {time.perf_counter() - started:.1f} s")
