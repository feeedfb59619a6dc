"""``lianban deadline_sweep``: look at the cases and orders due today (idempotent; for cron); ``--everything``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianban.supervision.services import deadline_sweep, everything_due


class Command(BaseCommand):
    help = (
        "Look at the cases due today: deadline statuses, ETAs, signals; follow up the 督办 orders due. "
        "--everything looks at every open case and order (after a change of the LIANBAN_SIGNAL_*, "
        "LIANBAN_DUE_SOON_DAYS or LIANBAN_ORDER_* settings)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--everything",
            action="store_true",
            help="make every open case and every order waiting on a department due first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["everything"]:
            cases, orders = everything_due()
            self.stdout.write(f"{cases} open case(s) and {orders} waiting order(s) due today")
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
