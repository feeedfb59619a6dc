"""``lianban token``: API tokens of scripts and department systems: ``create USER``, ``list [USER]``, ``revoke ID``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lianban.accounts.models import ApiToken, User
from lianban.accounts.selectors import token_list
from lianban.accounts.services import AccountInvalid, token_create, token_revoke


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("no account has the user name %(name)s") % {"name": username})
    return user


def _when(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value is not None else "-"


class Command(BaseCommand):
    help = (
        "create USER [--days N] [--name TEXT]: issue a token (printed once, stored only as its hash); "
        "list [USER]: the tokens, newest first; revoke ID: revoke a token. Every change is on the account trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for USER")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=None, help="valid for N days (default: until revoked)")
        create.add_argument("--name", default="", help="what the token is for (e.g. the calling system)")
        listing = sub.add_parser("list", help="list tokens")
        listing.add_argument("username", nargs="?", default=None)
        revoke = sub.add_parser("revoke", help="revoke a token by its ID")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            try:
                issued = token_create(
                    actor=None, user=_user(options["username"]), name=options["name"], days=options["days"]
                )
            except AccountInvalid as exc:
                raise CommandError("; ".join(exc.problems.values())) from None
            self.stdout.write(issued.clear)
            self.stderr.write(
                _("Token #%(id)d for %(user)s: shown only this once, only its hash is stored.")
                % {"id": issued.token.pk, "user": issued.token.user.username}
            )
        elif action == "list":
            user = _user(options["username"]) if options["username"] else None
            self.stdout.write("ID\tPREFIX\tUSER\tNAME\tCREATED\tEXPIRES\tREVOKED\tLAST USED")
            for token in token_list(user).iterator():
                self.stdout.write(
                    "\t".join(
                        (
                            str(token.pk),
                            token.prefix,
                            token.user.username,
                            token.name or "-",
                            _when(token.created_at),
                            _when(token.expires_at),
                            _when(token.revoked_at),
                            _when(token.last_used_at),
                        )
                    )
                )
        else:
            found = ApiToken.objects.filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(_("no API token has the ID %(id)d") % {"id": options["id"]})
            revoked = token_revoke(actor=None, token=found)
            self.stdout.write(_("Token #%(id)d revoked.") % {"id": revoked.pk})
