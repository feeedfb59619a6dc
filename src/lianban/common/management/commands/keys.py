"""``lianban keys``: personal-data keys: ``generate`` one, ``status`` of the stored values, ``rotate`` to the current key."""

from __future__ import annotations

import base64
import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianban.common import crypto
from lianban.common.key_rotation import keys_inventory, keys_rotate


class Command(BaseCommand):
    help = (
        "generate: print a new SM4 data key entry for LIANBAN_DATA_KEYS (and a lookup key); "
        "status: how many stored values each key encrypted; "
        "rotate: re-encrypt every value under the first key of LIANBAN_DATA_KEYS (--digests: recompute lookups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate", "status", "rotate"])
        parser.add_argument("--digests", action="store_true", help="rotate: recompute every lookup digest too")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            kid = "k" + secrets.token_hex(3)
            self.stdout.write(f"LIANBAN_DATA_KEYS entry:  {kid}:{base64.b64encode(os.urandom(16)).decode()}")
            self.stdout.write(f"LIANBAN_LOOKUP_KEY:       {base64.b64encode(os.urandom(32)).decode()}")
            return
        ring = crypto.keys_required()
        if options["action"] == "rotate":
            report = keys_rotate(digests=options["digests"])
            self.stdout.write(f"{report.reencrypted} value(s) re-encrypted under key {ring.current_id}")
            if options["digests"]:
                self.stdout.write(f"{report.digests} lookup digest(s) recomputed")
            counts = report.by_key
        else:
            counts = keys_inventory()
        configured = {kid for kid, _key in ring.data_keys}
        for kid, count in sorted(counts.items()):
            note = "" if kid in configured else "  (NOT CONFIGURED: these values cannot be read)"
            note = "  (current)" if kid == ring.current_id else note
            self.stdout.write(f"key {kid}: {count} value(s){note}")
