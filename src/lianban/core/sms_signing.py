"""Request signing of the SMS providers' HTTP APIs, and message template placeholders. No Django.

- Aliyun (dysmsapi, RPC style): ``Signature`` = base64 HMAC-SHA1, key ``AccessKeySecret + "&"``, over
  ``METHOD&%2F&percent(canonical query)``; the canonical query is every parameter but ``Signature``,
  sorted by name, names and values percent-encoded per RFC 3986 (space ``%20``, ``*`` ``%2A``, ``~`` kept).
- Tencent Cloud (API 3.0): ``TC3-HMAC-SHA256``: a canonical request (method, ``/``, empty query,
  ``content-type`` and ``host`` headers, SHA-256 of the body), a string to sign with the timestamp
  and the credential scope ``date/service/tc3_request``, and a key derived from ``"TC3" + SecretKey``
  through the date, the service and ``tc3_request``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

# ------------------------------------------------------------------ Aliyun RPC signature


def aliyun_percent(value: str) -> str:
    """Percent-encoding of Aliyun's RPC signature (RFC 3986: unreserved characters kept, UTF-8)."""
    return quote(value, safe="-_.~")


def aliyun_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """``METHOD&%2F&percent(canonical query)`` over every parameter but ``Signature``."""
    canonical = "&".join(
        f"{aliyun_percent(name)}={aliyun_percent(params[name])}" for name in sorted(params) if name != "Signature"
    )
    return f"{method.upper()}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"


def aliyun_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    """The ``Signature`` parameter of an Aliyun RPC request (HMAC-SHA1, ``SignatureVersion`` 1.0)."""
    digest = hmac.new(
        f"{access_key_secret}&".encode(), aliyun_string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


# ------------------------------------------------------------------ Tencent Cloud TC3-HMAC-SHA256

TC3 = "TC3-HMAC-SHA256"


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(
    *,
    secret_key: str,
    service: str,
    host: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
    method: str = "POST",
) -> tuple[str, str]:
    """``(credential scope, hex signature)`` of a Tencent Cloud API 3.0 request signing ``content-type;host``."""
    canonical_request = "\n".join(
        [
            method.upper(),
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join([TC3, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return scope, hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
) -> str:
    """The ``Authorization`` header of a Tencent Cloud API 3.0 POST request."""
    scope, signature = tc3_signature(
        secret_key=secret_key,
        service=service,
        host=host,
        content_type=content_type,
        payload=payload,
        timestamp=timestamp,
    )
    return f"{TC3} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


# ------------------------------------------------------------------ templates

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def placeholders(text: str) -> list[str]:
    """The ``{name}`` placeholders of a template, in order of first appearance.

    Raises:
        ValueError: a brace that does not open or close a plain ``{name}`` (``{{`` and ``}}`` are literal braces).
    """
    found: list[str] = []
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        start = max(text.rfind("{"), 0) if text.count("{") > text.count("}") else max(text.find("}"), 0)
        raise ValueError(text[start : start + 20]) from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if not _IDENTIFIER.match(name) or spec or conversion:
            raise ValueError(f"{{{name}}}")
        if name not in found:
            found.append(name)
    return found


def render(text: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled (a placeholder without a value: empty)."""
    return text.format_map({name: values.get(name, "") for name in placeholders(text)})
