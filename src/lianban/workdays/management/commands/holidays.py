"""``lianban holidays import FILE``: enter a year's official holiday arrangement from a JSON file.

The file is the common JSON of NateScarlet/holiday-cn::

    {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, ...]}

``lianban holidays check FILE`` reads it and changes nothing; ``lianban holidays
status`` lists the confirmed and provisional years.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianban.workdays.services import HolidayFileInvalid, holiday_arrangement_import, holiday_file_parse, work_calendar


class Command(BaseCommand):
    help = (
        "Import a year's official holiday arrangement (holiday-cn JSON), check such a file, or show the years covered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("import", "enter the arrangement"), ("check", "read the file, change nothing")):
            command = sub.add_parser(name, help=text)
            command.add_argument("file", help="JSON file: {year, days: [{name, date, isOffDay}]}")
            command.add_argument("--source", default="", help="where the dates come from (the State Council notice)")
        sub.add_parser("status", help="the confirmed and the provisional years")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            calendar = work_calendar()
            confirmed = sorted(calendar.covered_years - calendar.provisional_years)
            self.stdout.write(f"confirmed: {confirmed[0]}–{confirmed[-1]}" if confirmed else "confirmed: none")
            self.stdout.write(f"provisional (预计): {sorted(calendar.provisional_years) or 'none'}")
            return
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        try:
            arrangement = holiday_file_parse(content)
        except HolidayFileInvalid as exc:
            raise CommandError("\n".join(f"{path}: {problem}" for problem in exc.problems)) from None
        for warning in arrangement.warnings:
            self.stderr.write(f"{path}: warning: {warning}")
        rest = sum(d.off for d in arrangement.days)
        summary = f"{arrangement.year}: {rest} rest day(s), {len(arrangement.days) - rest} make-up workday(s)"
        if options["action"] == "check":
            self.stdout.write(f"{path}: {summary}; nothing changed")
            return
        holiday_arrangement_import(arrangement=arrangement, source=options["source"] or path.name)
        self.stdout.write(f"{path}: {summary} entered; provisional dates are recomputed in the background")
