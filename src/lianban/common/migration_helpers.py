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
