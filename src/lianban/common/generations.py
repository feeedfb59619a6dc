"""Cache generations: a token per name that writers renew after commit, so readers can trust cached derivations.

A reader reads the generation *before* the data it derives something from,
and stores the derivation with that generation; it is valid while the
generation is unchanged. A writer renews the generation after its
transaction commits. Any interleaving leaves a stale derivation tagged with
an older generation (never served), at worst costing a recomputation.

This only works when every process shares the cache (Redis): with a
per-process cache a write in another process (the worker) would renew the
generation where no reader looks. :func:`shared` says whether derivations may
be cached this way (``LIANBAN_CACHE_SHARED``, by default: the cache is not
local memory or a dummy).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

#: Generations renewed by the working-day calendar's and the catalog's writes.
CALENDAR = "calendar"
CATALOG = "catalog"
#: How long a generation token lives (longer than anything cached under it).
GENERATION_SECONDS = 3 * 24 * 3600
_LOCAL = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared() -> bool:
    """True when derivations may be cached under generations (every process shares the cache)."""
    configured = getattr(settings, "LIANBAN_CACHE_SHARED", None)
    if configured is not None:
        return bool(configured)
    return settings.CACHES["default"]["BACKEND"] not in _LOCAL


def _key(name: str) -> str:
    return f"lianban:gen:{name}"


def generations(names: Iterable[str], extra: Iterable[str] = ()) -> tuple[list[str], dict[str, object]]:
    """The current generation of each name (created when missing), and the ``extra`` keys, in one cache read."""
    names = list(names)
    found = cache.get_many([_key(n) for n in names] + list(extra))
    tokens: list[str] = []
    for name in names:
        token = found.get(_key(name))
        if token is None:
            token = secrets.token_hex(8)
            if not cache.add(_key(name), token, GENERATION_SECONDS):
                token = cache.get(_key(name)) or secrets.token_hex(8)  # another reader created it first
        tokens.append(str(token))
    return tokens, {k: found[k] for k in extra if k in found}


def renew(name: str) -> None:
    """A new generation for ``name`` now (call after the change is committed)."""
    cache.set(_key(name), secrets.token_hex(8), GENERATION_SECONDS)


def renew_on_commit(name: str) -> None:
    """A new generation for ``name`` once the current transaction commits (nothing when it rolls back)."""
    if shared():
        transaction.on_commit(partial(renew, name))
