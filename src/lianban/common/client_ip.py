"""The client's address, as the login lock and the API throttles count it.

Behind a reverse proxy every request comes from the proxy's address; the
proxy names the client in a header (``LIANBAN_CLIENT_IP_HEADER``, e.g.
``X-Forwarded-For`` or ``X-Real-IP``). Only the entries added by the
``LIANBAN_PROXY_COUNT`` trusted proxies are believed: the client writes
whatever it likes to the left of them. Without a configured header the
address is ``REMOTE_ADDR`` and any forwarding header is ignored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request: Any) -> str:
    """The address of the client that sent ``request`` (a Django or DRF request)."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    header = str(getattr(settings, "LIANBAN_CLIENT_IP_HEADER", "") or "")
    if not header:
        return remote
    value = str(meta.get(_meta_key(header), "") or "")
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        return remote
    proxies = max(int(getattr(settings, "LIANBAN_PROXY_COUNT", 1) or 1), 1)
    return entries[-min(proxies, len(entries))][:64]


def axes_client_ip(request: Any) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the same address for the login lock."""
    return client_ip(request)
