"""What the test identity platform knows of its people: name, phone and (scope ``identity``) 公民身份号码."""

from __future__ import annotations

from typing import Any

from oidc_provider.lib.claims import ScopeClaims

#: username -> (name, phone, identity number or "")
PEOPLE = {
    "lisi": ("李四", "13700137000", "11010519491231002X"),
    "wangwu": ("王五", "13600136000", ""),
    "lisi2": ("李四", "13500135000", "11010519491231002X"),
}


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    """OIDC_USERINFO: the standard claims of ``user``."""
    name, phone, _number = PEOPLE[user.username]
    claims["name"] = name
    claims["phone_number"] = phone
    return claims


class IdentityScopeClaims(ScopeClaims):
    """The ``identity`` scope: the citizen identity number, as a provincial platform gives it."""

    info_identity = ("公民身份号码", "the citizen identity number")

    def scope_identity(self) -> dict[str, Any]:
        number = PEOPLE[self.user.username][2]
        return {"id_number": number} if number else {}
