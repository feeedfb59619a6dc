"""Tracking codes: short, unguessable, easy to read aloud.

A code is 12 characters of Crockford's base32 alphabet (digits and capital
letters without I, L, O and U), shown in three groups: ``7KQ2-M9XD-4RTA``.
60 bits of randomness make it unguessable; the alphabet avoids letters that
are confused with digits when read aloud or typed. Lookup is tolerant: case
does not matter, dashes and spaces may be left out, and I/L read as 1, O as 0.

Drawing the random characters is the shell's job (``secrets``); this module
only formats and normalises.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def format_code(raw: str) -> str:
    """Show a code in groups: ``7KQ2M9XD4RTA`` → ``7KQ2-M9XD-4RTA``.

    Args:
        raw: The 12 characters of a normalised code.

    Returns:
        The code with dashes between groups.
    """
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(text: str) -> str | None:
    """The canonical (ungrouped, upper-case) form of a code typed by a person.

    Args:
        text: What was typed: any case, with or without dashes or spaces.

    Returns:
        The 12-character canonical code, or None when it cannot be a code.
    """
    compact = "".join(ch for ch in text.upper() if ch not in "- \t").translate(_CONFUSABLE)
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return compact
