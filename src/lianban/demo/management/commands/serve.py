"""``lianban serve``: serve the platform with waitress (a production WSGI server)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve lianban over HTTP with waitress."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from lianban.config.wsgi import application

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Serving lianban on {url} (Ctrl+C to stop)")
        self.stdout.flush()
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="lianban")
