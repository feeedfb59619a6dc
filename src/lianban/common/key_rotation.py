"""Key rotation: re-encrypt every personal value under the current data key, recompute the lookup digests.

Rotation steps (docs/security.md): put a new key first in ``LIANBAN_DATA_KEYS``
keeping the old ones after it, restart, run ``lianban keys rotate``; when it
reports nothing left under an old key, remove that key. A new
``LIANBAN_LOOKUP_KEY`` needs ``lianban keys rotate --digests`` right after the
restart (lookups by identity miss until it has run).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from lianban.common import crypto
from lianban.common.fields import EncryptedJSONField, EncryptedTextField, LookupDigestField, digest_of

#: Rows re-encrypted per transaction.
BATCH = 500


@dataclass
class RotationReport:
    """What a rotation did: values re-encrypted, digests rewritten, values per key id afterwards."""

    reencrypted: int = 0
    digests: int = 0
    by_key: Counter[str] = field(default_factory=Counter)


def encrypted_fields() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every encrypted field of every installed model."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField | EncryptedJSONField):
                yield model, model_field


def _raw_values(model: type[models.Model], column: str | None) -> Iterator[tuple[int, str]]:
    qn = connection.ops.quote_name
    pk = model._meta.pk
    if pk is None or pk.column is None or column is None:
        raise ValueError(f"{model.__name__}: no primary key or column")
    key, value = qn(pk.column), qn(column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {value} FROM {qn(model._meta.db_table)} "  # noqa: S608
            f"WHERE {value} IS NOT NULL AND {value} <> '' ORDER BY {key}"
        )
        yield from cursor.fetchall()


def keys_inventory() -> Counter[str]:
    """How many stored values each key id encrypted ("clear" for values not encrypted yet)."""
    counts: Counter[str] = Counter()
    for model, model_field in encrypted_fields():
        for _pk, raw in _raw_values(model, model_field.column):
            counts[crypto.key_id_of(raw) if crypto.is_ciphertext(raw) else "clear"] += 1
    return counts


def keys_rotate(*, digests: bool = False) -> RotationReport:
    """Re-encrypt under the current key every value made with another key (or stored in clear).

    With ``digests``, rewrite every lookup digest with the current lookup key too.
    """
    report = RotationReport()
    current = crypto.keyring().current_id
    for model, model_field in encrypted_fields():
        stale = [
            pk
            for pk, raw in _raw_values(model, model_field.column)
            if not crypto.is_ciphertext(raw) or crypto.key_id_of(raw) != current
        ]
        manager = model._base_manager
        for start in range(0, len(stale), BATCH):
            with transaction.atomic():
                for row in manager.filter(pk__in=stale[start : start + BATCH]).only("pk", model_field.attname):
                    manager.filter(pk=row.pk).update(**{model_field.attname: getattr(row, model_field.attname)})
                    report.reencrypted += 1
    if digests:
        for model in apps.get_models():
            for digest_field in model._meta.concrete_fields:
                if not isinstance(digest_field, LookupDigestField):
                    continue
                with transaction.atomic():
                    rows = model._base_manager.only("pk", digest_field.source)
                    for row in rows.iterator(chunk_size=BATCH):
                        value = digest_of(model, digest_field.source, getattr(row, digest_field.source))
                        model._base_manager.filter(pk=row.pk).update(**{digest_field.attname: value})
                        report.digests += 1
    report.by_key = keys_inventory()
    return report
