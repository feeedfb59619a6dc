"""Idempotent requests: the same (actor, key) has one effect, however often it is sent.

The key row is inserted in the same transaction as the effect, before it
(without reading first: the unique index answers). A repeat after commit
fails that insert, leaves its transaction (or savepoint) and returns the
stored result without running the operation again. A concurrent request with
the same key blocks on the unique index until the first commits, then does
the same; if the first rolled back, the second runs the operation itself.

Usage in a service::

    return idempotent(actor=actor, key=idempotency_key, operation="case.submit",
                      run=lambda: _submit(...), model=Case)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases.models import IdempotencyKey
from lianban.core.case_errors import IdempotencyKeyReused

M = TypeVar("M", bound=models.Model)


def _stored(row: IdempotencyKey, operation: str, model: type[M]) -> M:
    if row.operation != operation:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for another operation."))
    return model._default_manager.get(pk=row.result["pk"])


def idempotent(*, actor: User | None, key: str | None, operation: str, run: Callable[[], M], model: type[M]) -> M:
    """Run ``run`` once per (actor, key); repeats return the first result (a ``model`` instance).

    Without a key (or without an actor) ``run`` simply runs. Either way it runs
    inside one ``transaction.atomic`` block opened here, so an operation may
    use ``transaction.atomic(savepoint=False)`` and spare a savepoint.

    Raises:
        IdempotencyKeyReused: the key was used by this actor for another operation.
    """
    if not key or actor is None:
        with transaction.atomic():
            return run()
    try:
        with transaction.atomic():
            try:
                row = IdempotencyKey.objects.create(actor=actor, key=key, operation=operation, result={})
            except IntegrityError as exc:
                raise _KeyTaken from exc  # nothing written yet: leave the block, which rolls back
            result = run()
            row.result = _reference(result)
            row.save(update_fields=["result"])
            return result
    except _KeyTaken:
        # a repeat, or a concurrent request with the same key that committed first
        return _stored(IdempotencyKey.objects.get(actor=actor, key=key), operation, model)


class _KeyTaken(Exception):
    """The key row exists: an earlier request with the same key committed (or did while this one waited)."""


def _reference(result: models.Model) -> dict[str, Any]:
    return {"model": result._meta.label_lower, "pk": result.pk}
