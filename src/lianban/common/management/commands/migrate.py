"""``lianban migrate``: Django's migrate, run as the schema owner when ``MIGRATION_DATABASE_URL`` is set.

The application connects with ``DATABASE_URL`` as a role that owns nothing:
it cannot TRUNCATE, ALTER, DROP or disable a trigger. Migrations need the
owner: with ``MIGRATION_DATABASE_URL`` set (same database, owner's
credentials) this command connects as the owner, migrates, then grants the
application role what it needs on PostgreSQL (see ``database_roles``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from lianban.common.database_roles import app_role_grant

#: Connection settings taken from the owner's URL.
_OWNER_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = (
        "Update the database schema. With MIGRATION_DATABASE_URL set, migrate as that (owner) role and "
        "grant the application's role (DATABASE_URL) row access only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        owner: dict[str, Any] | None = settings.LIANBAN_MIGRATION_DATABASE
        alias = options["database"]
        connection = connections[alias]
        if not owner or alias != DEFAULT_DB_ALIAS or owner.get("NAME") != connection.settings_dict.get("NAME"):
            # Not the database the owner URL names (a test database, another alias): as configured.
            super().handle(*args, **options)
            return
        app_user = connection.settings_dict.get("USER") or ""
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update({key: owner[key] for key in _OWNER_KEYS if key in owner})
        try:
            super().handle(*args, **options)
            if connection.vendor == "postgresql" and app_user and app_user != owner.get("USER"):
                app_role_grant(connection, app_user)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted row access to the application role {app_user}.")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
