"""Django's ``makemessages``, also extracting the core's catalog problem templates.

The pure core words catalog problems with ``tx("… %(name)s …", name=…)``
(:mod:`lianban.core.text`); ``--keyword=tx`` makes xgettext extract those
templates, so they are translated with the rest of the project's messages.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """``makemessages`` with ``tx`` as a gettext keyword for Python files."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=tx"]
