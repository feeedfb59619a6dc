"""Catalog problems in the language of the request.

The core words every catalog problem in English (the command line prints it
as it is), as a :class:`lianban.core.text.Text` that keeps its template and
params. Here the template is looked up in the translations and filled with
the params, themselves translated. In English the result is exactly what the
command line prints.
"""

from __future__ import annotations

from django.utils.translation import gettext

from lianban.core.errors import CatalogProblem
from lianban.core.text import Text


def translated(value: object) -> str:
    """A :class:`Text` in the active language (its params too); anything else as it is."""
    if not isinstance(value, Text):
        return str(value)
    template = gettext(value.template)
    if not value.params:
        return template
    return template % {
        name: translated(param) if isinstance(param, Text) else param for name, param in value.params.items()
    }


def problem_message(problem: CatalogProblem) -> str:
    """What is wrong, in the active language."""
    return translated(problem.message)


def problem_entry(problem: CatalogProblem) -> str:
    """The entry the problem is about (``item SCJG-GSSL``, ``file``), in the active language."""
    return translated(problem.entry)


def problem_text(problem: CatalogProblem) -> str:
    """``entry: message`` in the active language (the admin, where the file is the catalog itself)."""
    return gettext("%(entry)s: %(problem)s") % {"entry": problem_entry(problem), "problem": problem_message(problem)}


def problem_line(problem: CatalogProblem) -> str:
    """``file:line: entry: message`` in the active language; in English, the command line's line."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return gettext("%(where)s: %(entry)s: %(problem)s") % {
        "where": where,
        "entry": problem_entry(problem),
        "problem": problem_message(problem),
    }
