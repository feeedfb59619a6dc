"""``lianban deadline_sweep``: recompute deadline statuses and ETAs, raise the signals (idempotent; for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lianban.supervision.services import deadline_sweep


class Command(BaseCommand):
    help = "Recompute the deadline status of every running item case and the ETA of its case."

    def handle(self, *args: Any, **options: Any) -> None:
        result = deadline_sweep()
        changed = ", ".join(f"{k}: {v}" for k, v in sorted(result.changed.items())) or "none"
        self.stdout.write(
            f"{result.cases} case(s) swept; status changes: {changed}; signals raised: {result.signals}; "
            f"supervision orders raised: {result.orders}, reminded: {result.urged}, escalated: {result.escalated}"
        )
        if result.skipped:
            self.stderr.write(f"skipped (calendar not covered): {result.skipped}")
        for year, waiting in result.missing_years.items():
            self.stderr.write(f"calendar year {year} not entered: {waiting} item case(s) without a due date")
