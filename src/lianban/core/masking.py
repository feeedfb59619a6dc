"""Masking personal values for people who do not need them in full: 4201**********1234, 138****5678.

Pure functions: the templates (``{% personal %}``), serializers, admin lists,
exports and logs all call :func:`mask`. Characters that are not letters or
digits (a landline's dash) stay; the kept head and tail never reveal more
than all but ``MIN_HIDDEN`` characters of the value.
"""

from __future__ import annotations

#: Kinds of personal value and the characters kept at (head, tail).
KEEP = {
    "id_number": (4, 4),  # 公民身份号码 / 统一社会信用代码: region (4) … check part (4)
    "phone": (3, 4),  # 138****5678; a landline keeps its area code's first digits
    "bank_account": (4, 4),
    "email": (1, 0),
    "name": (1, 0),
    "text": (0, 0),
}


#: A masked value hides at least this many letters or digits.
MIN_HIDDEN = 4


def _mask_chars(value: str, head: int, tail: int) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    count = len(positions)
    while head + tail > count - MIN_HIDDEN and (head or tail):  # at least MIN_HIDDEN characters hidden
        if tail >= head and tail:
            tail -= 1
        else:
            head -= 1
    hidden = set(positions[head : count - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def mask(value: object, kind: str = "text") -> str:
    """``value`` with its middle replaced by ``*`` (an e-mail keeps its domain); "" stays ""."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    head, tail = KEEP.get(kind, KEEP["text"])
    if kind == "email" and "@" in text:
        local, _at, domain = text.rpartition("@")
        return _mask_chars(local, head, tail) + "@" + domain
    if kind == "text":
        return "*" * min(len(text), 8)
    return _mask_chars(text, head, tail)
