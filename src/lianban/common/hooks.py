"""Hooks: where an app lets the apps above it act, without importing them.

The layers (``pyproject.toml``, import-linter) let an app import only the apps
below it. Where something below must make something above happen — the case
engine records an event and the outbox publishes it; intake confirms an
identity and the portal moves the applicant's drafts — the app below declares
a :class:`Hook`, the app above registers a function on it in its
``AppConfig.ready``, and the app below calls the hook. The registered
functions run in registration order, in the caller's transaction; an error in
one propagates like any other (the change and its consequences commit
together, or not at all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """A named point where registered functions taking ``P`` and returning ``R`` are called."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[P, R]] = []

    def register(self, function: Callable[P, R]) -> Callable[P, R]:
        """Add ``function`` (once: registering it again changes nothing); returns it, to serve as a decorator."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every registered function; their results, in registration order."""
        return [function(*args, **kwargs) for function in self._functions]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"
