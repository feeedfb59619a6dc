"""Model fields for personal data: encrypted at rest (SM4-GCM), with an HMAC-SM3 digest for exact lookups.

The model attribute holds the plaintext; the column holds the ciphertext
(``lianban.common.crypto``). An encrypted column cannot be searched, ordered
or compared in SQL: filter on its :class:`LookupDigestField` instead
(``digest_for``). Lookups other than ``isnull`` on an encrypted field raise.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Model
from django.forms import CharField as FormCharField
from django.forms import TextInput

from lianban.common import crypto


def _context(field: models.Field[Any, Any]) -> str:
    """The associated data of a column: ``app_label.model.field`` (stable across renames of the table)."""
    return f"{field.model._meta.label_lower}.{field.name}"


class _NoLookups:
    name: str

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: it cannot be compared in the database; filter on its digest")
        return super().get_lookup(lookup_name)  # type: ignore[misc]


class EncryptedTextField(_NoLookups, models.TextField[Any, Any]):
    """Text stored as an SM4-GCM ciphertext; ``max_length`` limits the plaintext (forms and serializers)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if crypto.is_ciphertext(value):
            return crypto.decrypt(value, _context(self))
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(str(value), _context(self))

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": FormCharField, "widget": TextInput, **kwargs})


class EncryptedJSONField(_NoLookups, models.TextField[Any, Any]):
    """A JSON object stored as one SM4-GCM ciphertext (every value of it is protected)."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        if crypto.is_ciphertext(value):
            value = crypto.decrypt(value, _context(self))
        return json.loads(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if crypto.is_ciphertext(value):
                value = crypto.decrypt(value, _context(self))
            return json.loads(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or crypto.is_ciphertext(value):
            return value
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
        return crypto.encrypt(text, _context(self))

    def value_to_string(self, obj: Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs: Any) -> Any:
        from django.forms import JSONField as FormJSONField

        return FormJSONField(**kwargs)


class LookupDigestField(models.CharField[Any, Any]):
    """The HMAC-SM3 digest of another (encrypted) field of the model, computed on save, for exact lookups."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = digest_of(model_instance.__class__, self.source, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def digest_of(model: type[Model], field_name: str, value: Any) -> str:
    """The lookup digest a row with ``field_name`` = ``value`` carries ("" for an empty value)."""
    if value is None or value == "":
        return ""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise FieldError(f"{field_name} is not a column of {model.__name__}")
    return crypto.lookup_digest(str(value), _context(field))
