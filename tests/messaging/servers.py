"""Real servers for the messaging tests, in threads of the test process: an SMS provider and an SMTP server.

``SmsProvider`` speaks Aliyun's or Tencent Cloud's ``SendSms`` over HTTP: it checks every request's
signature with the provider's documented algorithm written out here (a request signed wrongly is
answered with the provider's own error and not recorded) and answers scripted codes. ``SmtpServer``
is aiosmtpd: it keeps every mail and refuses the recipients it is told to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from collections import deque
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest
from aiosmtpd.controller import Controller

PORT_BASE = int(os.environ.get("LIANBAN_TEST_PORT_BASE", "18400"))
PORTS = range(PORT_BASE + 10, PORT_BASE + 90)


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PORTS} (LIANBAN_TEST_PORT_BASE)")


def aliyun_expected(params: dict[str, str], secret: str) -> str:
    """Aliyun's RPC signature, per its documentation (POST, SignatureVersion 1.0)."""

    def enc(text: str) -> str:
        return quote(text, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = "POST&%2F&" + enc(canonical)
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def tencent_expected(headers: dict[str, str], body: bytes, secret_key: str) -> str:
    """Tencent Cloud's TC3-HMAC-SHA256 signature of a POST, per its documentation."""
    timestamp = int(headers["x-tc-timestamp"])
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\ncontent-type;host\n"
        + hashlib.sha256(body).hexdigest()
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"TC3{secret_key}".encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class SmsProvider:
    """A local SMS provider (``kind``: aliyun or tencent) that verifies signatures and answers ``script``."""

    def __init__(self, kind: str, key_id: str, secret: str) -> None:
        self.kind = kind
        self.key_id = key_id
        self.secret = secret
        self.port = free_port()
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []  # accepted (well-signed) requests' parameters
        self.refused = 0
        self.script: deque[str] = deque()  # codes to answer next (then OK)
        self.holding = threading.Event()  # set: the next request is recorded, then held until release()
        self.held = threading.Event()
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def hold(self) -> None:
        self.released.clear()
        self.holding.set()

    def release(self) -> None:
        self.holding.clear()
        self.released.set()

    def __enter__(self) -> SmsProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if self.kind == "aliyun":
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
            good = params.get("AccessKeyId") == self.key_id and hmac.compare_digest(
                params.get("Signature", ""), aliyun_expected(params, self.secret)
            )
            fresh = (
                abs(
                    datetime.strptime(params.get("Timestamp", "2000-01-01T00:00:00Z"), "%Y-%m-%dT%H:%M:%SZ")
                    .replace(tzinfo=UTC)
                    .timestamp()
                    - time.time()
                )
                < 900
            )
            if not (good and fresh):
                with self.lock:
                    self.refused += 1
                return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
            with self.lock:
                self.received.append(params)
                code = self.script.popleft() if self.script else "OK"
                number = len(self.received)
            if code == "HTTP 503":
                return 503, {}
            if code != "OK":
                return 200, {"Code": code, "Message": "refused", "RequestId": "r"}
            return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{number}", "RequestId": "r"}
        authorization = headers.get("authorization", "")
        fields = dict(part.strip().split("=", 1) for part in authorization.split(" ", 1)[-1].split(","))
        good = fields.get("Credential", "").startswith(f"{self.key_id}/") and hmac.compare_digest(
            fields.get("Signature", ""), tencent_expected(headers, body, self.secret)
        )
        fresh = abs(int(headers.get("x-tc-timestamp", "0")) - time.time()) < 300
        if not (good and fresh and headers.get("x-tc-action") == "SendSms"):
            with self.lock:
                self.refused += 1
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}}
        payload = json.loads(body)
        with self.lock:
            self.received.append(payload)
            code = self.script.popleft() if self.script else "Ok"
            number = len(self.received)
        if code == "HTTP 503":
            return 503, {}
        if code.startswith("InternalError"):
            return 200, {"Response": {"Error": {"Code": code, "Message": "busy"}, "RequestId": "r"}}
        status = {"SerialNo": f"sn-{number}", "PhoneNumber": payload["PhoneNumberSet"][0], "Code": code}
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": "r"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = provider.answer(headers, body)
                if provider.holding.is_set():
                    provider.held.set()
                    provider.released.wait(60)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.server.busy:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.server.mails.append((list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port of this branch: ``mails`` (recipients, parsed message), ``refuse`` and ``busy``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self.busy: set[str] = set()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
