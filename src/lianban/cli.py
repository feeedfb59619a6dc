"""The ``lianban`` console command: Django's management commands under one name.

``lianban catalog import FILE...``, ``lianban plan THING --answers JSON``,
``lianban demo``, ``lianban migrate``… all honour ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a lianban (Django management) command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianban.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lianban", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
