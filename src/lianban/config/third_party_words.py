"""Words of the third-party apps' admin pages that ship without a Chinese translation.

django-axes and django-tasks-db mark them for translation (``gettext_lazy``) but
carry no zh_Hans catalog; the project's catalog (``LOCALE_PATHS``, which wins)
translates them. Listing them here lets ``makemessages`` extract them, so they
stay in the catalog. ``tests/test_admin_chinese.py`` fails on an English word
left on an admin index page.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext

WORDS = (
    # the words of django-axes: its models and its admin
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    # the words of django-tasks-db: its models
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("args kwargs"),
    gettext_noop("backend name"),
    gettext_noop("enqueued at"),
    gettext_noop("exception class path"),
    gettext_noop("finished at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("return value"),
    gettext_noop("run after"),
    gettext_noop("started at"),
    gettext_noop("status"),
    gettext_noop("task path"),
    gettext_noop("traceback"),
    gettext_noop("worker id"),
)


def password_words(n: int) -> tuple[str, str]:
    """Django's password-length messages: Django 5.2 changed their msgids to ``%d`` while its zh_Hans catalog
    still carries the older ``%(min_length)d`` ones, so they would show in English. Never called: listed for
    ``makemessages``; the project's catalog translates them (``tests/accounts/test_phone_codes.py``)."""
    return (
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            n,
        ),
        ngettext(
            "Your password must contain at least %d character.",
            "Your password must contain at least %d characters.",
            n,
        ),
    )
