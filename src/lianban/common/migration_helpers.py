"""Data-migration helpers: encrypt the personal values of existing rows in place, or write them back in clear."""

from __future__ import annotations

import json
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
