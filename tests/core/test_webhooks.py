"""Standard Webhooks signatures, their check, the retry schedule and the callback URL rule (pure)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from lianban.core import webhooks
from lianban.core.webhooks import WebhookVerificationError

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
BODY = b'{"id":"evt_1","type":"case.submitted"}'
NOW = 1_800_000_000


def test_the_signature_is_hmac_sha256_over_id_timestamp_body() -> None:
    expected = base64.b64encode(hmac.new(b"k" * 32, b"evt_1.1800000000." + BODY, hashlib.sha256).digest()).decode()
    assert webhooks.sign(SECRET, "evt_1", NOW, BODY) == f"v1,{expected}"


def test_a_genuine_fresh_event_passes_and_gives_its_id() -> None:
    headers = webhooks.headers(SECRET, "evt_1", NOW, BODY)
    assert webhooks.verify(SECRET, headers, BODY, now=NOW + 299) == "evt_1"
    upper = {name.upper(): value for name, value in headers.items()}
    assert webhooks.verify(SECRET, upper, BODY, now=NOW) == "evt_1"
    rotating = {**headers, "webhook-signature": "v1,bm90IGl0 " + headers["webhook-signature"]}
    assert webhooks.verify(SECRET, rotating, BODY, now=NOW) == "evt_1"


@pytest.mark.parametrize(
    ("change", "now"),
    [
        ({"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}, NOW),  # wrong signature
        ({}, NOW + 301),  # stale: replayed 5 minutes later
        ({}, NOW - 301),  # from the future
        ({"webhook-id": "evt_2"}, NOW),  # another id
        ({"webhook-timestamp": str(NOW + 1)}, NOW),  # another time
        ({"webhook-timestamp": "soon"}, NOW),
        ({"webhook-signature": ""}, NOW),
    ],
)
def test_forged_or_stale_requests_are_refused(change: dict[str, str], now: int) -> None:
    headers = {**webhooks.headers(SECRET, "evt_1", NOW, BODY), **change}
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(SECRET, headers, BODY, now=now)


def test_a_changed_body_or_another_secret_is_refused() -> None:
    headers = webhooks.headers(SECRET, "evt_1", NOW, BODY)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(SECRET, headers, BODY + b" ", now=NOW)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(webhooks.secret_new(), headers, BODY, now=NOW)


def test_secrets_are_whsec_base64_of_enough_bytes() -> None:
    assert len(webhooks.secret_key(webhooks.secret_new())) == 32
    for bad in ("k" * 40, "whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            webhooks.secret_key(bad)


def test_the_default_schedule_retries_for_more_than_a_day_then_gives_up() -> None:
    delays = [webhooks.retry_delay(n) for n in range(1, 8)]
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert sum(d for d in delays if d is not None) >= 24 * 3600
    assert webhooks.retry_delay(8) is None
    assert webhooks.retry_delay(2, (1, 2)) == 2
    with pytest.raises(ValueError):
        webhooks.retry_delay(0)


@pytest.mark.parametrize(
    ("url", "allowed", "ok"),
    [
        ("https://dept.example.gov.cn/hook", (), True),
        ("http://10.0.0.5:8080/hook", (), True),
        ("ftp://dept.example.gov.cn/hook", (), False),
        ("file:///etc/passwd", (), False),
        ("https://user:pw@dept.example.gov.cn/", (), False),
        ("https:///nohost", (), False),
        ("http://[::1", (), False),
        ("https://dept.example.gov.cn/hook", ("dept.example.gov.cn",), True),
        ("https://a.example.gov.cn/hook", (".example.gov.cn",), True),
        ("https://evil.example.com/hook", (".example.gov.cn",), False),
        ("https://example.gov.cn.evil.com/", ("example.gov.cn",), False),
    ],
)
def test_callback_urls(url: str, allowed: tuple[str, ...], ok: bool) -> None:
    assert (webhooks.url_problem(url, allowed) == "") is ok


def test_every_public_type_comes_from_an_audit_action() -> None:
    assert set(webhooks.PUBLIC_TYPES) == set(webhooks.EVENT_TYPES.values())
    assert "case.deemed_accepted" not in webhooks.PUBLIC_TYPES


def test_the_receiver_example_in_the_docs_verifies_our_signatures() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text(encoding="utf-8")
    example = doc.split("## Verifying a signature", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(example, "docs/events.md", "exec"), namespace)  # noqa: S102 - the documentation's own code
    doc_verify = namespace["verify"]
    now = int(__import__("time").time())
    headers = webhooks.headers(SECRET, "evt_9", now, BODY)
    assert doc_verify(SECRET, headers, BODY) == "evt_9"  # type: ignore[operator]
    for bad in ({**headers, "webhook-timestamp": str(now - 600)}, webhooks.headers(SECRET, "evt_9", now, b"{}")):
        with pytest.raises(ValueError):
            doc_verify(SECRET, bad, BODY)  # type: ignore[operator]
