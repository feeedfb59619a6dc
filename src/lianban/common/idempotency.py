"""Idempotent commands: the same (actor, key) has one effect, however often it is sent.

The key row is inserted in the same transaction as the effect, before it
(without reading first: the unique index answers). A repeat after commit
fails that insert, leaves its transaction (or savepoint) and returns the
stored result without running the operation again. A concurrent request with
the same key blocks on the unique index until the first commits, then does
the same; if the first rolled back, the second runs the operation itself.

A service declares itself a command with the decorator::

    @command(operation="case.submit", model=Case)
    def case_submit(*, actor: User, ..., idempotency_key: str | None = None) -> Case:
        ...  # runs inside the transaction the decorator opened, at most once per key

and :func:`idempotent` remains for the few callers that wrap something else than one service call.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from lianban.common.models import IdempotencyKey
from lianban.common.prepared import insert_row, save_fields
from lianban.core.case_errors import IdempotencyKeyReused

M = TypeVar("M", bound=models.Model)
P = ParamSpec("P")


def command(*, operation: str, model: type[M]) -> Callable[[Callable[P, M]], Callable[P, M]]:
    """Make a service a command: one transaction, at most one effect per ``idempotency_key``.

    The decorated function takes the keyword-only parameters ``actor`` and
    ``idempotency_key`` (``None`` by default; the function itself ignores it).
    Each call runs the function in one ``transaction.atomic`` block (so it may
    use ``transaction.atomic(savepoint=False)`` inside); with a key and an
    actor, the key is recorded first in that block, and a repeat returns the
    stored ``model`` instance instead of running the function again.

    Raises (from the decorated function):
        IdempotencyKeyReused: the key was used by this actor for another operation.
    """

    def decorate(func: Callable[P, M]) -> Callable[P, M]:
        parameters = inspect.signature(func).parameters
        for name in ("actor", "idempotency_key"):
            if name not in parameters or parameters[name].kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"@command needs a keyword-only parameter {name!r} on {func.__qualname__}")

        @functools.wraps(func)
        def run_command(*args: P.args, **kwargs: P.kwargs) -> M:
            actor, key = kwargs.get("actor"), kwargs.get("idempotency_key")
            if not (actor is None or isinstance(actor, AbstractBaseUser)) or not (key is None or isinstance(key, str)):
                raise TypeError(f"{func.__qualname__}: actor must be a user, idempotency_key a string")
            return idempotent(
                actor=actor,
                key=key,
                operation=operation,
                model=model,
                run=lambda: func(*args, **kwargs),
            )

        run_command.operation = operation  # type: ignore[attr-defined]  # for the reader and the tests
        return run_command

    return decorate


def _stored(row: IdempotencyKey, operation: str, model: type[M]) -> M:
    if row.operation != operation:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for another operation."))
    return model._default_manager.get(pk=row.result["pk"])


def idempotent(
    *, actor: AbstractBaseUser | None, key: str | None, operation: str, run: Callable[[], M], model: type[M]
) -> M:
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
                row = IdempotencyKey(actor_id=actor.pk, key=key, operation=operation, result={})
                insert_row(row)
            except IntegrityError as exc:
                raise _KeyTaken from exc  # nothing written yet: leave the block, which rolls back
            result = run()
            row.result = _reference(result)
            save_fields(row, ["result"])
            return result
    except _KeyTaken:
        # a repeat, or a concurrent request with the same key that committed first
        return _stored(IdempotencyKey.objects.get(actor_id=actor.pk, key=key), operation, model)


class _KeyTaken(Exception):
    """The key row exists: an earlier request with the same key committed (or did while this one waited)."""


def _reference(result: models.Model) -> dict[str, Any]:
    return {"model": result._meta.label_lower, "pk": result.pk}
