"""A department system's receiver for the fault tests: a real HTTP server in a thread of the test process.

It checks every request with ``lianban.core.webhooks.verify`` (a wrong signature or a
stale timestamp answers 401 and is not recorded), dedupes by event id, and keeps the
order events first arrived in. ``hold()`` makes the next request wait (a worker stays
mid-delivery) until ``release()``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lianban.core.webhooks import WebhookVerificationError, verify


class Receiver:
    def __init__(self, port: int, secret: str) -> None:
        self.port = port
        self.secret = secret
        self.lock = threading.Lock()
        self.first_seen: list[dict[str, Any]] = []  # each event once, in the order it first arrived
        self.seen: set[str] = set()
        self.duplicates = 0
        self.refused = 0
        self.holding = threading.Event()
        self.held = threading.Event()  # set while a request is being held
        self.released = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def hold(self) -> None:
        self.released.clear()
        self.holding.set()

    def release(self) -> None:
        self.holding.clear()
        self.released.set()

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        try:
            event_id = verify(self.secret, headers, body)
        except WebhookVerificationError:
            with self.lock:
                self.refused += 1
            return 401
        payload = json.loads(body)
        assert payload["id"] == event_id
        with self.lock:
            if event_id in self.seen:
                self.duplicates += 1
            else:
                self.seen.add(event_id)
                self.first_seen.append(payload)
        return 204

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver.receive(dict(self.headers.items()), body)
                if receiver.holding.is_set():
                    receiver.held.set()
                    receiver.released.wait(60)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
