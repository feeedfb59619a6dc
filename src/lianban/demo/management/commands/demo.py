"""``lianban demo [--port N]``: migrate, load the demo, print the logins, serve with a worker."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from lianban.accounts.models import Role, User
from lianban.common.crypto import demo_keys_allow
from lianban.core.tracking import format_code
from lianban.demo.cases import demo_cases_load
from lianban.demo.services import DEMO_PASSWORD, demo_load

STATE_WORDS = {
    "SUBMITTED": "待受理",
    "CORRECTION_REQUESTED": "待补正材料",
    "RESUBMITTED": "已补正，待受理",
    "IN_PROGRESS": "审批中",
    "READY": "待出件",
    "ISSUED": "已出件",
    "REFUSED": "不予受理",
    "WITHDRAWN": "已撤回",
}


class Command(BaseCommand):
    help = "Start lianban with demo data: migrate, load catalog, accounts and cases, then serve with a worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
        parser.add_argument("--no-serve", action="store_true", help="set up the demo, then exit")
        parser.add_argument("--no-worker", action="store_true", help="do not run the background worker thread")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_keys_allow()  # a demo without configured keys encrypts with the public demo keys
        call_command("migrate", interactive=False, verbosity=0)
        demo_load()
        cases = demo_cases_load()
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}"
        self.stdout.write(f"Demo data loaded into {where}.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        order = {role: i for i, role in enumerate(Role.values)}
        users = sorted(
            User.objects.filter(role__in=Role.values).exclude(password="").select_related("department"),
            key=lambda u: (order.get(u.role, 99), u.username),
        )
        for user in users:
            dept = f" — {user.department.name}" if user.department else ""
            self.stdout.write(f"  {user.username:<15} {Role(user.role).label}{dept}  {user.display_name}")
        self.stdout.write("Demo cases (track them at /track/<code>/):")
        for case in cases:
            code = format_code(case.tracking_code)
            self.stdout.write(f"  {code}  {case.thing}  {STATE_WORDS.get(case.state, case.state)}")
        if options["no_serve"]:
            return
        # The served demo is in Chinese whatever the browser asks (LIANBAN_LANGUAGE chooses another
        # language). Set only here, for the serving process: setting up leaves the settings alone.
        settings.LIANBAN_LANGUAGE = settings.LIANBAN_LANGUAGE or settings.LANGUAGE_CODE
        if not options["no_worker"]:
            from lianban.common.worker import start_worker_thread

            start_worker_thread()
            self.stdout.write("Background worker started (task queue in the database, periodic sweeps).")
        call_command("serve", host=options["host"], port=options["port"])
