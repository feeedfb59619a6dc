"""Template helpers for the portal layout."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

import segno

from lianban.cases import clock
from lianban.portal.case_view import day_text, money, size_text
from lianban.portal.nav import nav_for, role_name

register = template.Library()


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def portal_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The header links for the current user (by ``user.role``)."""
    request = context.get("request")
    user = context.get("user")
    path = request.path if request is not None else ""
    return {"entries": nav_for(user, path), "user": user}


#: The language of the catalog's words (names, questions, form labels): the catalog is written in Chinese.
CATALOG_LANGUAGE = "zh-Hans"


@register.simple_tag
def catalog_lang() -> str:
    """`` lang="zh-Hans"`` on an element with catalog text when the interface is in another language.

    The catalog stays Chinese when the interface is English; marking its words lets a screen reader
    read them with a Chinese voice (WCAG 3.1.2). In a Chinese interface it adds nothing.
    """
    if (translation.get_language() or "").lower().startswith("zh"):
        return ""
    return format_html(' lang="{}"', CATALOG_LANGUAGE)


@register.simple_tag
def user_role(user: Any) -> Any:
    """The user's role in words, for the header."""
    return role_name(user)


@register.filter
def day(value: Any) -> str:
    """A date (or an ISO date string) as 2026年11月22日."""
    if isinstance(value, datetime):
        value = clock.local_date(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    return day_text(value) if isinstance(value, date) else ""


@register.filter
def yuan(value: Any) -> str:
    """An amount as ¥12.50."""
    return "" if value is None or value == "" else money(value)


@register.filter
def file_size(value: Any) -> str:
    """A size in bytes as 230 KB / 1.4 MB."""
    return size_text(value)


@register.simple_tag
def qr_svg(url: str, label: str = "") -> str:
    """The QR code of ``url`` as inline SVG (segno), scalable, with a title for screen readers."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, dark="#1b2430", omitsize=True, title=label or None, svgclass="qr")
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's markup, title escaped


@register.simple_tag
def idempotency_field() -> str:
    """A hidden idempotency key, fresh each time the form is rendered: a resent form has one effect."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4())


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or "" when absent (for per-field error dicts)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
