"""Migration helpers: encrypt or decrypt the personal values of existing rows, make a table append-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lianban.common.fields import EncryptedJSONField


def rows_encrypt(apps: Any, app_label: str, model_name: str, fields: tuple[str, ...]) -> None:
    """Save every row's ``fields`` again: the encrypted fields write ciphertext (digests are recomputed).

    Values already encrypted are kept; the keys must be configured (docs/security.md).
    """
    model = apps.get_model(app_label, model_name)
    digests = tuple(f.name for f in model._meta.fields if getattr(f, "source", "") in fields)
    rows = model._default_manager.order_by("pk")
    if not rows.exists():
        return
    for row in rows.iterator(chunk_size=1000):
        row.save(update_fields=[*fields, *digests])


def rows_decrypt(apps: Any, app_label: str, model_name: str, fields: tuple[str, ...], schema_editor: Any) -> None:
    """Write ``fields`` back in clear (reversing :func:`rows_encrypt`), with raw SQL past the encrypting fields."""
    model = apps.get_model(app_label, model_name)
    table = model._meta.db_table
    qn = schema_editor.connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{qn(field.column)} = %s" for field in columns)
    with schema_editor.connection.cursor() as cursor:
        for row in model._default_manager.order_by("pk").iterator(chunk_size=1000):
            values = []
            for field in columns:
                value = getattr(row, field.attname)
                values.append(json.dumps(value, ensure_ascii=False) if isinstance(field, EncryptedJSONField) else value)
            cursor.execute(f"UPDATE {qn(table)} SET {assignments} WHERE {qn('id')} = %s", [*values, row.pk])  # noqa: S608


#: The audit trail's SQLite delete trigger names ``cases_case``: a migration that rebuilds that table
#: (SQLite's way of altering a column) drops the trigger first and makes it again afterwards.
SQLITE_EVENT_DELETE_TRIGGER = """
    CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
"""


def sqlite_event_trigger_drop(apps: Any, schema_editor: Any) -> None:
    """Before rebuilding ``cases_case`` on SQLite: drop the events' delete trigger (nothing elsewhere)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_delete;")


def sqlite_event_trigger_create(apps: Any, schema_editor: Any) -> None:
    """After rebuilding ``cases_case`` on SQLite: make the events' delete trigger again (nothing elsewhere)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_delete;")
        schema_editor.execute(SQLITE_EVENT_DELETE_TRIGGER)


def statements_per_vendor(statements_by_vendor: dict[str, list[str]], what: str = "append-only trigger") -> Any:
    """A RunPython function executing the statements of the database's vendor (refusing an unknown one)."""

    def run(apps: Any, schema_editor: Any) -> None:
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no {what} for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


@dataclass(frozen=True, slots=True)
class AppendOnlyTriggers:
    """The statements that make a table append-only in the database, per vendor, forward and backward.

    On PostgreSQL a trigger refuses every UPDATE and DELETE (the test runner truncates). On SQLite
    an UPDATE is refused, and a DELETE while the row of ``delete_while`` exists (``"cases_case"``: the
    row's case; the test runner wipes the whole database), or always without ``delete_while``.
    """

    table: str
    words: str
    delete_while: str | None = "cases_case"
    delete_while_column: str = "case_id"

    def sqlite_forward(self) -> list[str]:
        t, words = self.table, self.words
        when = (
            f"WHEN EXISTS (SELECT 1 FROM {self.delete_while} WHERE id = OLD.{self.delete_while_column})\n    "  # noqa: S608 - names from migrations
            if self.delete_while
            else ""
        )
        return [
            f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t}\n    BEGIN SELECT RAISE(ABORT, '{words}'); END;",
            f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}\n    {when}BEGIN SELECT RAISE(ABORT, '{words}'); END;",
        ]

    def sqlite_backward(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.table}_no_update;", f"DROP TRIGGER IF EXISTS {self.table}_no_delete;"]

    def postgres_forward(self) -> list[str]:
        t, words = self.table, self.words
        return [
            f"CREATE OR REPLACE FUNCTION {t}_append_only() RETURNS trigger AS $$\n    BEGIN\n"
            f"        RAISE EXCEPTION '{words}' USING ERRCODE = 'integrity_constraint_violation';\n"
            "    END;\n    $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {t}_no_update_or_delete\n    BEFORE UPDATE OR DELETE ON {t}\n"
            f"    FOR EACH ROW EXECUTE FUNCTION {t}_append_only();",
        ]

    def postgres_backward(self) -> list[str]:
        t = self.table
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_update_or_delete ON {t};",
            f"DROP FUNCTION IF EXISTS {t}_append_only();",
        ]

    def operation(self) -> Any:
        """The ``RunPython`` operation that adds the triggers (and drops them when migrating back)."""
        from django.db import migrations

        return migrations.RunPython(
            statements_per_vendor({"sqlite": self.sqlite_forward(), "postgresql": self.postgres_forward()}),
            statements_per_vendor({"sqlite": self.sqlite_backward(), "postgresql": self.postgres_backward()}),
        )


def append_only_triggers(table: str, words: str, *, delete_while: str | None = "cases_case") -> Any:
    """The migration operation making ``table`` append-only in the database (see :class:`AppendOnlyTriggers`).

    Usage in a migration: ``operations = [..., append_only_triggers("app_model", "models are append-only")]``;
    ``words`` are the model's ``refused`` (``lianban.common.append_only.AppendOnlyRow``).
    """
    return AppendOnlyTriggers(table, words, delete_while=delete_while).operation()


def topic_notify_operation(*, table: str, topic: str, what: str) -> Any:
    """A RunPython operation: on PostgreSQL, a statement-level trigger on ``table`` that sends ``t<topic>`` on the
    tracking channel ``lianban_track`` at the commit of any insert, update, delete or truncate (the topics of
    ``cases.track_local``); nothing on SQLite, which has no notifications. Reversible."""
    from django.db import migrations

    function, trigger = f"lianban_notify_{topic}", f"{table}_notify"
    forward = [
        f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('lianban_track', 't{topic}');
        RETURN NULL;
    END $$;
    """,
        f"""
    CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
    """,
    ]
    reverse = [f"DROP TRIGGER IF EXISTS {trigger} ON {table};", f"DROP FUNCTION IF EXISTS {function}();"]
    return migrations.RunPython(
        statements_per_vendor({"postgresql": forward, "sqlite": []}, what=what),
        statements_per_vendor({"postgresql": reverse, "sqlite": []}, what=what),
    )
