"""Token authentication for scripts and department systems: ``Authorization: Bearer <token>`` (or ``Token``).

The token is looked up by its SHA-256 (``accounts.selectors.token_get_by_clear``);
a revoked, expired or unknown token, or the token of a deactivated user,
answers 401 with the reason in the request's language. A token acts as its user
in every way: the same route rules (``lianban.config.access``), the same
per-user throttle. Unlike HTTP Basic, no password hash runs per call.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from lianban.accounts.selectors import token_get_by_clear
from lianban.accounts.services import token_touch

#: The schemes a token may be sent under (case-insensitive).
SCHEMES = ("bearer", "token")
#: The longest token looked up (ours are 46 characters; anything much longer is not one).
TOKEN_MAX_LENGTH = 128
WWW_AUTHENTICATE = 'Bearer realm="api"'


class TokenRefused(exceptions.APIException):
    """A token that does not authenticate: always 401, whatever authenticator comes first."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "token-invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.auth_header = WWW_AUTHENTICATE


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` or ``Token <token>``; other schemes are left to the next authenticator."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """The token's user and the token, None when no token is sent; 401 for a token that does not work."""
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, clear = header.partition(" ")
        if scheme.lower() not in SCHEMES:
            return None
        clear = clear.strip()
        if not clear or " " in clear or len(clear) > TOKEN_MAX_LENGTH:
            raise TokenRefused(_("The API token is malformed."))
        token = token_get_by_clear(clear)
        if token is None:
            raise TokenRefused(_("The API token is not valid."))
        if token.revoked_at is not None:
            raise TokenRefused(_("The API token has been revoked."))
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise TokenRefused(_("The API token has expired."))
        if not token.user.is_active:
            raise TokenRefused(_("The account of this API token is deactivated."))
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """The challenge of a 401."""
        return WWW_AUTHENTICATE


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's __init_subclass__
    """The schema names token authentication as HTTP bearer (``tokenAuth``)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """HTTP bearer."""
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token> (or Token <token>)"}
