"""``lianban deemed_acceptance``: accept by law the cases left without an intake decision (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lianban.intake.services import deemed_acceptance_sweep_run


class Command(BaseCommand):
    help = "Accept by operation of law every case whose intake deadline has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = deemed_acceptance_sweep_run()
        accepted = result.accepted
        self.stdout.write(f"{len(accepted)} case(s) deemed accepted" + (f": {accepted}" if accepted else ""))
        if result.not_computable:
            waiting = ", ".join(f"case {case} ({year})" for case, year in sorted(result.not_computable.items()))
            self.stderr.write(f"not decided, deadline in a calendar year not entered: {waiting}")
