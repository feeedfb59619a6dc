"""Template helpers of the workbenches: states in words, deadlines as badges, money, keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from lianban.cases import words
from lianban.core.tracking import format_code
from lianban.workbench.selectors.common import Deadline
from lianban.workbench.views.common import new_key as make_key

register = template.Library()

TABLES = {
    "case": words.CASE_STATES,
    "outcome": words.OUTCOMES,
    "item": words.ITEM_STATES,
    "material": words.MATERIAL_STATES,
    "check": words.CHECK_RESULTS,
    "decision": words.DECISIONS,
    "channel": words.CHANNELS,
    "bill": words.BILL_STATUSES,
    "delivery": words.DELIVERY_METHODS,
    "kind": words.APPLICANT_KINDS,
    "signal": words.SIGNAL_LEVELS,
    "signal_subject": words.SIGNAL_SUBJECTS,
}


@register.filter
def say(value: Any, table: str) -> str:
    """A stored value in words: ``{{ case.state|say:"case" }}``."""
    return words.word(TABLES[table], str(value or ""))


#: The badge tone of an item state: decided well, ended badly, waiting on the applicant (others: plain).
ITEM_TONES = {"APPROVED": "good", "REJECTED": "bad", "CANCELLED": "bad", "SUPPLEMENT": "wait"}


@register.filter
def item_tone(state: Any) -> str:
    """The CSS tone of an item state's badge: ``<span class="state {{ item.state|item_tone }}">``."""
    return ITEM_TONES.get(str(state or ""), "")


@register.filter
def yuan(amount: Any) -> str:
    """Money as ¥12.50."""
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(str(amount)):.2f}"


@register.filter
def tracking(code: str) -> str:
    """A tracking code grouped for reading aloud (XXXX-XXXX-XXXX)."""
    return format_code(code)


@register.simple_tag
def new_key() -> str:
    """A fresh idempotency key for the form being rendered."""
    return make_key()


@register.inclusion_tag("workbench/_due.html")
def due(deadline: Deadline | None) -> dict[str, Any]:
    """A deadline as a badge: its words and its colour, with the date."""
    return {"deadline": deadline}


@register.inclusion_tag("workbench/_signal.html")
def signal(level: str) -> dict[str, Any]:
    """A deadline signal as a badge (提示 / 黄牌 / 红牌); nothing for no level."""
    return {"level": level, "words": words.SIGNAL_LEVELS.get(level, "")}


@register.filter
def get_level(levels: dict[int, str], key: int) -> str:
    """``levels[key]``, "" when absent."""
    return levels.get(key, "")


@register.inclusion_tag("workbench/_key.html")
def idempotency_field() -> dict[str, Any]:
    """The hidden idempotency key of a state-changing form."""
    return {"key": make_key()}


@register.simple_tag
def widget(field: Any, **attrs: Any) -> str:
    """A form field's control: ``aria-required`` when required, marked invalid and tied to its error when it has errors."""
    extra = {key.replace("_", "-"): value for key, value in attrs.items()}
    if field.field.required and getattr(field.field.widget, "input_type", "") not in ("radio", "checkbox"):
        extra.setdefault("aria-required", "true")  # radios and checkboxes: ARIA allows it on their group only
    if field.errors:
        extra["aria-invalid"] = "true"
        extra["aria-describedby"] = f"{field.auto_id}-error"
    return str(field.as_widget(attrs=extra))


@register.filter
def get_count(counts: dict[int, int], key: int) -> int:
    """``counts[key]``, 0 when absent."""
    return counts.get(key, 0)


@register.filter
def percent(rate: Any) -> str:
    """A rate (0..1) as 87.5%; a dash when there is nothing to divide."""
    if rate is None or rate == "":
        return "—"
    return f"{100 * float(rate):.1f}%"


@register.filter
def number(value: Any) -> str:
    """A figure that may be absent (an average without cases) as text; a dash when absent."""
    if value is None or value == "":
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)
