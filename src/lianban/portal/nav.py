"""Navigation per role: which links a signed-in user sees in the header.

A link whose URL name does not resolve yet is left out, so the pages of a
later phase appear in the menu as soon as their URL is added (see docs/ui.md
for the names they are expected to have).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import Role


@dataclass(frozen=True, slots=True)
class NavLink:
    """A header link: a URL name, its label, and the roles that see it (empty = everyone)."""

    url_name: str
    label: str | Promise
    roles: frozenset[str] = frozenset()
    staff: bool = False


NAV_LINKS: tuple[NavLink, ...] = (
    NavLink("portal:home", _("Services")),
    NavLink("portal:track", _("Track a case")),
    NavLink("portal:my_cases", _("My cases"), frozenset({Role.APPLICANT})),
    NavLink("portal:my_licences", _("My licences"), frozenset({Role.APPLICANT})),
    NavLink("portal:message_settings", _("Message settings"), frozenset({Role.APPLICANT})),
    NavLink("workbench:window_queue", _("Window workbench"), frozenset({Role.CLERK})),
    NavLink("workbench:department_queue", _("Department workbench"), frozenset({Role.REVIEWER})),
    NavLink("workbench:supervision", _("Supervision"), frozenset({Role.SUPERVISOR})),
    NavLink("workbench:orders", _("Supervision orders"), frozenset({Role.SUPERVISOR, Role.REVIEWER})),
    NavLink(
        "evaluation:tickets", _("Bad-rating rectification"), frozenset({Role.SUPERVISOR, Role.REVIEWER, Role.CLERK})
    ),
    NavLink("workbench:statistics", _("Statistics"), frozenset({Role.SUPERVISOR, Role.REVIEWER, Role.CLERK})),
    NavLink(
        "workbench:message_settings", _("Message settings"), frozenset({Role.CLERK, Role.REVIEWER, Role.SUPERVISOR})
    ),
    NavLink("workbench:catalog_files", _("Catalog import/export"), frozenset({Role.ADMIN})),
    NavLink("admin:index", _("Catalog administration"), staff=True),
)


#: How the header names each role (the same words as ``Role``'s labels).
ROLE_NAMES: dict[str, str | Promise] = {
    Role.APPLICANT: _("Applicant"),
    Role.CLERK: _("Window clerk"),
    Role.REVIEWER: _("Department reviewer"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.ADMIN: _("Catalog administrator"),
}


def role_name(user: object) -> str | Promise:
    """The signed-in user's role in words ("" when anonymous or unknown)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return ROLE_NAMES.get(str(getattr(user, "role", "")), "")


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A link as rendered: label, URL, whether it is the current page."""

    label: str | Promise
    url: str
    current: bool


def nav_for(user: object, path: str) -> list[NavEntry]:
    """The links ``user`` sees, marking the one for ``path``."""
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    is_staff = bool(getattr(user, "is_staff", False))
    entries = []
    for link in NAV_LINKS:
        if link.roles and role not in link.roles:
            continue
        if link.staff and not is_staff:
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        current = path == url if url == "/" else path.startswith(url)
        entries.append(NavEntry(link.label, url, current))
    return entries
