"""``{% personal value "id_number" %}``: a personal value, masked unless the view says this reader needs it."""

from __future__ import annotations

from typing import Any

from django import template

from lianban.core.masking import mask

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context: template.Context, value: Any, kind: str = "text") -> str:
    """``value`` in full only where the view set ``personal_full`` to True; masked by default."""
    if context.get("personal_full") is True:
        return "" if value is None else str(value)
    return mask(value, kind)
