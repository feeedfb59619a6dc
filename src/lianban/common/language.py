"""The platform's own language for what the system writes by itself."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

P = ParamSpec("P")
R = TypeVar("R")


def in_platform_language(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` in ``LANGUAGE_CODE`` (Chinese), whatever language the thread was left in.

    The sweeps write texts into the audit trail and the notifications by themselves. Run from a
    worker they would get the default language anyway; run from a request, a command or a test
    they would otherwise take the language the last request activated on that thread.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper
