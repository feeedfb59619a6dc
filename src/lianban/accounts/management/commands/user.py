"""``lianban user``: staff accounts from the command line: ``add``, ``list``, ``set-password``, ``deactivate``.

A password comes from standard input when it is piped, otherwise ``add``
generates one and prints it once. Every change is on the account trail, with
the command line as its actor.
"""

from __future__ import annotations

import getpass
import secrets
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lianban.accounts.models import Role, User
from lianban.accounts.selectors import user_list
from lianban.accounts.services import AccountInvalid, user_add, user_deactivate, user_set_password

#: ``--role`` values: the roles in lower case.
ROLE_NAMES = {role.lower(): role for role in Role.values}


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("no account has the user name %(name)s") % {"name": username})
    return user


def _refused(exc: AccountInvalid) -> CommandError:
    return CommandError("; ".join(f"{field}: {text}" for field, text in exc.problems.items()))


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "add NAME --role ROLE [--department CODE]: create an account (password from stdin, or generated and "
        "printed once); list; set-password NAME (stdin, or asked); deactivate NAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create an account")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        add.add_argument("--department", default="", help="department code (required for clerks and reviewers)")
        add.add_argument("--display-name", default="")
        sub.add_parser("list", help="list accounts")
        password = sub.add_parser("set-password", help="set a password (from stdin)")
        password.add_argument("username")
        deactivate = sub.add_parser("deactivate", help="deactivate an account")
        deactivate.add_argument("username")

    def _piped_password(self) -> str | None:
        stdin = getattr(self, "_stdin", None) or sys.stdin
        if stdin.isatty():
            return None
        return stdin.readline().rstrip("\r\n")

    def handle(self, *args: Any, **options: Any) -> None:
        self._stdin = options.get("stdin")
        action = options["action"]
        if action == "add":
            piped = self._piped_password()
            password = piped if piped is not None else secrets.token_urlsafe(12)
            try:
                user = user_add(
                    actor=None,
                    username=options["username"],
                    role=ROLE_NAMES[options["role"]],
                    department_code=options["department"],
                    display_name=options["display_name"],
                    password=password,
                )
            except AccountInvalid as exc:
                raise _refused(exc) from None
            self.stdout.write(
                _("Account %(name)s created (%(role)s).") % {"name": user.username, "role": Role(user.role).label}
            )
            if piped is None:
                self.stdout.write(_("Password (shown only this once): %(password)s") % {"password": password})
        elif action == "list":
            self.stdout.write("USERNAME\tROLE\tDEPARTMENT\tACTIVE\tLAST LOGIN")
            for user in user_list().iterator():
                self.stdout.write(
                    "\t".join(
                        (
                            user.username,
                            user.role,
                            user.department.code if user.department else "-",
                            "yes" if user.is_active else "no",
                            f"{timezone.localtime(user.last_login):%Y-%m-%d %H:%M}" if user.last_login else "-",
                        )
                    )
                )
        elif action == "set-password":
            user = _user(options["username"])
            piped = self._piped_password()
            password = piped if piped is not None else getpass.getpass(_("New password: "))
            try:
                user_set_password(actor=None, user=user, password=password)
            except AccountInvalid as exc:
                raise _refused(exc) from None
            self.stdout.write(_("Password of %(name)s set.") % {"name": user.username})
        else:
            user = user_deactivate(actor=None, user=_user(options["username"]))
            self.stdout.write(_("Account %(name)s deactivated.") % {"name": user.username})
