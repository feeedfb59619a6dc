"""English messages that a user interface can translate.

A :class:`Text` *is* the English message (a ``str``), so the command line, logs
and every caller that reads it see exactly the English. It also carries the
``%(name)s``-style English ``template`` and the ``params`` that make it, so a
user interface can look the template up in its translations and fill in the
params (themselves translated when they are :class:`Text`).

The core builds every translatable message with :func:`tx`, whose first
argument must be a literal template: ``makemessages --keyword=tx`` extracts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["Text", "joined", "tx"]


class Text(str):
    """An English message, with the template and params it was made from."""

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, params: Mapping[str, object]) -> Text:
        """The message ``template % params``, remembering both."""
        made = super().__new__(cls, template % params if params else template)
        made.template = template
        made.params = dict(params)
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (Text, (self.template, self.params))


def tx(template: str, /, **params: object) -> Text:
    """A translatable message: ``template`` (literal, ``%(name)s`` placeholders) filled with ``params``.

    Without params the template is the message as it is (no ``%`` formatting).
    """
    return Text(template, params)


def joined(parts: Iterable[str]) -> str:
    """``parts`` separated by ", ", keeping each part translatable when it is a :class:`Text`."""
    items = list(parts)
    if not items:
        return ""
    result: str = items[-1]
    for part in reversed(items[:-1]):
        result = tx("%(first)s, %(rest)s", first=part, rest=result)
    return result
