"""System checks of lianban's own deployment settings (``lianban check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def personal_data_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The personal-data keys are configured (not the demo keys) and valid."""
    from lianban.common import crypto

    try:
        ring = crypto.keyring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="lianban.E001")]
    if ring.demo:
        return [Error("personal data is encrypted with the public demo keys: set LIANBAN_DATA_KEYS", id="lianban.E002")]
    return []
