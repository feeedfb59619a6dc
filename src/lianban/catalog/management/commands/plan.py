"""``lianban plan THING --answers JSON [--licences CODE,...]`` and ``lianban plan --batch FILE``."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from lianban.catalog.planning import plan_batch_line, plan_document
from lianban.catalog.selectors import compiled_thing
from lianban.core.errors import AnswersInvalid, DomainError
from lianban.core.planner import CompiledThing


class Command(BaseCommand):
    help = "Plan a one-thing for some answers, or plan a JSON Lines batch."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("thing", nargs="?", help="code of the one-thing, e.g. KJD")
        parser.add_argument("--answers", default="{}", help="answers as JSON, e.g. '{\"area\": 400}'")
        parser.add_argument("--licences", default="", help="material codes the applicant holds, comma separated")
        parser.add_argument(
            "--batch",
            metavar="FILE",
            help='JSON Lines of {"thing", "answers", "licences"} ("-" = standard input); one output line each',
        )
        parser.add_argument("--compact", action="store_true", help="print the plan on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            if options["thing"]:
                raise CommandError("give either THING or --batch, not both")
            self.batch(options["batch"])
            return
        if not options["thing"]:
            raise CommandError("THING is required (or --batch FILE)")
        try:
            answers = json.loads(options["answers"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--answers is not valid JSON: {exc.msg}") from exc
        licences = [code.strip() for code in options["licences"].split(",") if code.strip()]
        try:
            document = plan_document(options["thing"], answers, licences)
        except AnswersInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"answer {problem.question}: {problem.message}")
            sys.exit(2)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        indent = None if options["compact"] else 2
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")

    def batch(self, name: str) -> None:
        cache: dict[str, CompiledThing] = {}

        def resolve(code: str) -> CompiledThing:
            if code not in cache:
                cache[code] = compiled_thing(code)
            return cache[code]

        source: TextIO
        if name == "-":
            source = sys.stdin
        else:
            try:
                source = open(name, encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise CommandError(f"{name}: cannot be read ({exc.strerror})") from exc
        out = sys.stdout
        try:
            for line in source:
                text = line.strip()
                result = plan_batch_line(text, resolve) if text else {"error": "empty line"}
                out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
        finally:
            if source is not sys.stdin:
                source.close()
