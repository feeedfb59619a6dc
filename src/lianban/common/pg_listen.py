"""A process-local view kept fresh by PostgreSQL's LISTEN/NOTIFY: what changed is pushed, never polled.

:class:`Listener` holds one connection of its own (not Django's) listening on a
channel. Database triggers send a notification on that channel in the
transaction of every change (PostgreSQL delivers it when, and only if, the
transaction commits). Each notification's payload goes to ``on_payload``; when
the listener loses its connection, or before it starts listening, ``on_reset``
tells the owner to forget everything (notifications sent meanwhile are lost),
and :attr:`Listener.live` is False until it listens again.

Notifications are read in two places, both under one lock: a daemon thread
that waits on the socket (so nothing piles up while no request comes), and
:meth:`Listener.drain`, which a reader calls before it trusts its local view
(a non-blocking read of what has already arrived: a write committed in another
process before this request is seen, unless its notification is still in
flight, which is a matter of microseconds).

The thread starts on first use in each process (after a fork, a new one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)

#: Seconds the thread waits on the socket before it checks the connection is alive.
IDLE_CHECK_SECONDS = 30.0
#: Seconds between attempts to listen again after the connection was lost.
RETRY_SECONDS = 2.0


class Listener:
    """LISTEN on ``channel`` with a connection of its own; payloads to ``on_payload``, losses to ``on_reset``.

    Callbacks run with :attr:`lock` held: they must be quick and must not call back into the listener.
    """

    def __init__(
        self,
        connect_kwargs: dict[str, Any],
        channel: str,
        on_payload: Callable[[str], None],
        on_reset: Callable[[], None],
    ) -> None:
        self.connect_kwargs = connect_kwargs
        self.channel = channel
        self.on_payload = on_payload
        self.on_reset = on_reset
        self.lock = threading.Lock()
        self.live = False
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._pid: int | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- life cycle

    def ensure_started(self) -> None:
        """Start the listening thread in this process (once per process: a forked child starts its own)."""
        if self._pid == os.getpid():
            return
        with self.lock:
            if self._pid == os.getpid():
                return
            # a fork copied the parent's state: the connection and the thread are the parent's
            self._conn = None
            self.live = False
            self._stopped = threading.Event()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=f"listen-{self.channel}", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop listening (tests; a process ending needs nothing: the thread is a daemon)."""
        self._stopped.set()
        with self.lock:
            self._lose()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._pid = None

    def wait_live(self, timeout: float) -> bool:
        """Wait until the listener listens (tests and start-up checks); True when it does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.live:
                return True
            time.sleep(0.01)
        return self.live

    # ---------------------------------------------------------------- reading notifications

    def drain(self) -> bool:
        """Hand every notification that has arrived to ``on_payload`` (caller holds :attr:`lock`); False: not live.

        Never blocks. A broken connection makes the listener not live (and
        resets the owner): the caller then reads the database.
        """
        conn = self._conn
        if conn is None or not self.live:
            return False
        try:
            pgconn = conn.pgconn
            pgconn.consume_input()
            while (notify := pgconn.notifies()) is not None:
                self.on_payload(notify.extra.decode())
        except Exception:
            logger.warning("lost the %s listener's connection", self.channel, exc_info=True)
            self._lose()
            return False
        return True

    def _lose(self) -> None:
        """Forget the connection and everything learnt through it (lock held)."""
        self.live = False
        self.on_reset()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                conn.close()

    def _listen(self) -> None:
        conn = psycopg.connect(**{"connect_timeout": 10, **self.connect_kwargs, "autocommit": True})
        # notifications psycopg reads itself (while it runs the idle check) reach the owner too
        conn.add_notify_handler(lambda notify: self.on_payload(notify.payload))
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except Exception:
            conn.close()
            raise
        with self.lock:
            # anything cached before this moment may have missed notifications: start empty
            self.on_reset()
            self._conn = conn
            self.live = True

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                if self._conn is None:
                    self._listen()
                conn = self._conn
                if conn is None:
                    continue
                readable, _, _ = select.select([conn.pgconn.socket], [], [], IDLE_CHECK_SECONDS)
                with self.lock:
                    if self._conn is not conn:
                        continue
                    if not readable:
                        conn.execute("SELECT 1")  # an idle connection: is it still there?
                    self.drain()
            except Exception:
                logger.warning("the %s listener cannot listen; retrying", self.channel, exc_info=True)
                with self.lock:
                    self._lose()
                self._stopped.wait(RETRY_SECONDS)
