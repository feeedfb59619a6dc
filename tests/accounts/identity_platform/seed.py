"""Fill the test identity platform's database: its RSA key, its people, lianban as a client.

``python -m tests.accounts.identity_platform.seed REDIRECT_URI`` (after ``migrate``).
"""

from __future__ import annotations

import sys

import django


def main(redirect_uri: str) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from oidc_provider.models import Client, ResponseType

    from tests.accounts.identity_platform.claims import PEOPLE
    from tests.accounts.identity_platform.server import CLIENT_ID, CLIENT_SECRET, PASSWORD

    call_command("creatersakey")
    for username in PEOPLE:
        User.objects.create_user(username, password=PASSWORD)
    client = Client.objects.create(
        name="lianban",
        client_type="confidential",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        _redirect_uris=redirect_uri,
        _scope="openid profile phone identity",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


if __name__ == "__main__":
    main(sys.argv[1])
