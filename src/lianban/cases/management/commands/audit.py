"""``lianban audit verify`` / ``lianban audit anchor``: check and anchor the tamper-evident audit trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianban.cases import clock
from lianban.cases.audit import anchor_close_days, verify


class Command(BaseCommand):
    help = (
        "verify: recompute every SM3 hash chain and daily anchor of the audit trail, name the first broken "
        "link (exit status 1 when one is broken). anchor: anchor the days that ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            made = anchor_close_days(clock.today())
            self.stdout.write(
                f"{len(made)} daily anchor(s) made" + "".join(f"\n{a.day}: {a.events} event(s)" for a in made)
            )
            return
        breaks = verify()
        if breaks:
            for found in breaks:
                self.stderr.write(f"BROKEN {found}")
            raise CommandError(f"audit trail broken: first broken link: {breaks[0]}")
        self.stdout.write("audit trail intact: every chain and anchor verified")
