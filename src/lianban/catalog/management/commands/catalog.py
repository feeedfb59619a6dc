"""``lianban catalog import|validate|export`` — the catalog interchange contract.

``import`` and ``validate`` list every problem on standard error, one per line
(``file:line: entry: what is wrong``), and exit with status 1; nothing is
imported then. ``validate`` also lists warnings (an item's field key without a
definition), which do not stop an import. ``-`` reads a file from standard input. ``export`` writes the
whole catalog, YAML unless ``--format json`` or an ``-o`` name ending in
``.json``.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from lianban.catalog.services import CatalogFile, catalog_check, catalog_export, catalog_import, catalog_warnings
from lianban.core.errors import CatalogInvalid, CatalogProblem


class Command(BaseCommand):
    help = "Import, validate or export the catalog in the lianban-catalog/1 format."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,validate,export}")
        for action, text in (
            ("import", "Import files in order: all or nothing; every problem is listed."),
            ("validate", "Check files as import would, changing nothing."),
        ):
            p = sub.add_parser(action, help=text, description=text)
            p.add_argument("files", nargs="+", metavar="FILE", help="YAML or JSON catalog files ('-' = standard input)")
        p = sub.add_parser("export", help="Write the whole catalog.", description="Write the whole catalog.")
        p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
        p.add_argument("--format", choices=("yaml", "json"), help="default: from the file name, else yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self.export(options.get("output"), options.get("format"), to_caller=options.get("stdout") is not None)
            return
        files, unreadable = self.read(options["files"])
        problems = unreadable + (catalog_check(files=files, incomplete=True) if unreadable else [])
        if action == "validate":
            problems = problems or catalog_check(files=files)
            if problems:
                self.fail(problems, "the files cannot be imported")
            warnings = catalog_warnings(files=files)
            for warning in warnings:
                self.stderr.write(f"warning: {warning}")
            suffix = f" ({len(warnings)} warning(s))" if warnings else ""
            self.stdout.write(f"OK: {len(files)} file(s) can be imported{suffix}.")
            return
        if problems:
            self.fail(problems, "nothing was imported")
        try:
            record = catalog_import(files=files)
        except CatalogInvalid as exc:
            self.fail(exc.problems, "nothing was imported")
        counts = ", ".join(f"{n} {section}" for section, n in record.counts.items())
        self.stdout.write(f"Imported {len(files)} file(s): {counts} (catalog revision {record.revision}).")

    def read(self, names: list[str]) -> tuple[list[CatalogFile], list[CatalogProblem]]:
        files: list[CatalogFile] = []
        unreadable: list[CatalogProblem] = []
        for name in names:
            try:
                content = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            except OSError as exc:
                unreadable.append(CatalogProblem(name, "file", f"cannot be read ({exc.strerror or exc})"))
                continue
            files.append(CatalogFile(name="<stdin>" if name == "-" else name, content=content))
        return files, unreadable

    def fail(self, problems: list[CatalogProblem], outcome: str) -> NoReturn:
        for problem in problems:
            self.stderr.write(str(problem))
        self.stderr.write(f"{len(problems)} problem(s); {outcome}.")
        sys.exit(1)

    def export(self, output: str | None, fmt: str | None, *, to_caller: bool) -> None:
        if fmt is None:
            fmt = "json" if output and output.lower().endswith(".json") else "yaml"
        text = catalog_export(fmt=fmt)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{output}: cannot be written ({exc.strerror or exc})") from exc
            self.stderr.write(f"Wrote {output}.")
        elif to_caller or not hasattr(sys.stdout, "buffer"):
            self.stdout.write(text, ending="")
        else:
            # The format is UTF-8 whatever the terminal's encoding.
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.buffer.flush()
