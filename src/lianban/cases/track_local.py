"""Tracking stamps kept in each application process, fresh through the database's notifications.

The public tracking answer is cached under a stamp (``selectors.track_stamp``)
whose database part — the case's version and last event, the calendar's and
the catalog's revisions — is one indexed read. On PostgreSQL each process
keeps the stamps it has read, and a :class:`~lianban.common.pg_listen.Listener`
forgets them as the database says they changed: triggers (migration
``cases/0010``) notify channel ``lianban_track`` with ``c<case id>`` when a
case row changes or an event is appended to it, and with ``*`` when the
calendar or the catalog changes (or a statement touches many cases at once),
in the transaction of the change. A found code is then answered without any
database or cache round trip.

A stamp read from the database is kept only if no notification arrived while
it was read (:attr:`LocalStamps.seq`), so a read that raced a commit is never
kept; a kept stamp goes when its case's notification arrives. While the
listener is not listening (starting, or its connection lost) nothing is kept
or served from here: every request reads the database, as on SQLite or with
``LIANBAN_TRACK_LISTEN=false``.

Other process-local views share the listener through *topics*: a payload
``t<topic>`` (e.g. ``tsubscriptions``, sent by the outbox's trigger when a
subscription changes) moves that topic's epoch without forgetting any stamp;
:meth:`LocalStamps.topic_epoch` tells a view whether what it keeps is still
current (``None`` while not listening: read the database).

The answers themselves (JSON bytes) are kept under the whole stamp key, which
names what they are computed from, so they never go stale: only the least
recently used are dropped.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection

from lianban.common.pg_listen import Listener

#: The notification channel of the tracking triggers.
CHANNEL = "lianban_track"
#: Connection parameters Django adds for its own cursors, not for a plain psycopg connection.
_DJANGO_ONLY = ("cursor_factory", "context", "prepare_threshold")

Row = tuple[int, str]
T = TypeVar("T")


class LocalStamps:
    """Tracking code → (case id, database part of the stamp), kept while the database says nothing changed."""

    def __init__(self, max_stamps: int, max_answers: int) -> None:
        self.max_stamps = max_stamps
        self.max_answers = max_answers
        #: Counts every notification and reset: a read is kept only if it did not move meanwhile.
        self.seq = 0
        self.listener: Listener | None = None
        self._stamps: OrderedDict[str, Row] = OrderedDict()
        self._code_of_case: dict[int, str] = {}
        self._answers: OrderedDict[str, bytes] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._create_lock = threading.Lock()
        self._synced: deque[str] = deque(maxlen=64)
        #: Moved by each reset, and per topic by each ``t<topic>`` notification (see :meth:`topic_epoch`).
        self._resets = 0
        self._topics: dict[str, int] = {}

    # ---------------------------------------------------------------- notifications (listener lock held)

    def on_payload(self, payload: str) -> None:
        """A case changed (``c<id>``), or anything may have (``*``); ``s<token>`` answers :meth:`sync`."""
        if payload.startswith("s"):
            self._synced.append(payload[1:])
            return
        if payload.startswith("t"):
            topic = payload[1:]
            self._topics[topic] = self._topics.get(topic, 0) + 1
            return
        self.seq += 1
        if payload.startswith("c") and payload[1:].isdigit():
            code = self._code_of_case.pop(int(payload[1:]), None)
            if code is not None:
                self._stamps.pop(code, None)
        else:
            self._forget()

    def on_reset(self) -> None:
        """The listener starts or lost its connection: nothing kept can be trusted."""
        self.seq += 1
        self._resets += 1
        self._forget()

    def _forget(self) -> None:
        self._stamps.clear()
        self._code_of_case.clear()

    # ---------------------------------------------------------------- reads

    def _listening(self) -> Listener:
        listener = self.listener
        if listener is None:
            with self._create_lock:
                if self.listener is None:
                    params = {k: v for k, v in connection.get_connection_params().items() if k not in _DJANGO_ONLY}
                    self.listener = Listener(params, CHANNEL, self.on_payload, self.on_reset)
                listener = self.listener
        listener.ensure_started()
        return listener

    def stamp_row(self, canonical: str, read: Callable[[str], Row | None]) -> Row | None:
        """The stamp row of a code: kept here while unchanged, else ``read(canonical)`` (kept when safe)."""
        listener = self._listening()
        with listener.lock:
            live = listener.drain()
            if live:
                row = self._stamps.get(canonical)
                if row is not None:
                    self._stamps.move_to_end(canonical)
                    return row
            seen = self.seq
        row = read(canonical)
        if row is not None and live:
            with listener.lock:
                if listener.drain() and self.seq == seen:
                    self._keep(canonical, row)
        return row

    def _keep(self, canonical: str, row: Row) -> None:
        self._stamps[canonical] = row
        self._code_of_case[row[0]] = canonical
        while len(self._stamps) > self.max_stamps:
            code, (case_id, _data) = self._stamps.popitem(last=False)
            if self._code_of_case.get(case_id) == code:
                del self._code_of_case[case_id]

    def topic_epoch(self, topic: str) -> tuple[int, int] | None:
        """Where ``topic`` stands: equal epochs mean no change was heard in between; ``None``: not listening.

        A view keeps what it read under the epoch taken *before* the read, and
        keeps it only if the epoch is the same after the read (a change heard
        meanwhile may have been missed by it).
        """
        listener = self._listening()
        with listener.lock:
            if not listener.drain():
                return None
            return self._resets, self._topics.get(topic, 0)

    def answer(self, key: str, build: Callable[[], bytes]) -> bytes:
        """The answer kept under ``key`` (a whole stamp key: it never goes stale), else ``build()``, kept."""
        with self._answers_lock:
            body = self._answers.get(key)
            if body is not None:
                self._answers.move_to_end(key)
                return body
        body = build()
        with self._answers_lock:
            self._answers[key] = body
            while len(self._answers) > self.max_answers:
                self._answers.popitem(last=False)
        return body

    def sync(self, timeout: float = 10.0) -> bool:
        """Wait until every change committed before this call has been heard (True), or ``timeout`` passes.

        Sends a notification of its own: PostgreSQL delivers notifications in
        the order their transactions committed, so once it arrives every
        earlier change's has arrived too. For tests and checks; requests never wait.
        """
        listener = self._listening()
        if not listener.wait_live(timeout):
            return False
        token = secrets.token_hex(8)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, "s" + token])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with listener.lock:
                if listener.drain() and token in self._synced:
                    return True
            time.sleep(0.002)
        return False

    def stop(self) -> None:
        """Stop listening and forget everything (tests)."""
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
        with self._answers_lock:
            self._answers.clear()
        self._forget()


STAMPS = LocalStamps(max_stamps=50_000, max_answers=5_000)


def enabled() -> bool:
    """True when tracking stamps are kept in the process (PostgreSQL and ``LIANBAN_TRACK_LISTEN``)."""
    return bool(getattr(settings, "LIANBAN_TRACK_LISTEN", False)) and connection.vendor == "postgresql"


def listener_state() -> dict[str, Any]:
    """What the process's listener is doing (health checks, tests)."""
    listener = STAMPS.listener
    return {"enabled": enabled(), "live": bool(listener and listener.live), "stamps": len(STAMPS._stamps)}


class TopicKept(Generic[T]):
    """One value read from the database, kept in the process while its topic's epoch stands.

    ``get(key, build)`` answers the kept value when the topic has not moved since it was read and ``key``
    (what else the value depends on: the year, a setting…) is the same; otherwise it calls ``build`` and keeps
    the result only if the topic did not move while it was built. Where the process does not listen (SQLite,
    ``LIANBAN_TRACK_LISTEN`` off, the listener starting or reconnecting) ``build`` is called every time.
    """

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self._kept: tuple[tuple[int, int], Hashable, T] | None = None

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key``: kept, or built now (see the class)."""
        epoch = STAMPS.topic_epoch(self.topic) if enabled() else None
        kept = self._kept
        if epoch is not None and kept is not None and kept[0] == epoch and kept[1] == key:
            return kept[2]
        value = build()
        if epoch is not None and STAMPS.topic_epoch(self.topic) == epoch:
            self._kept = (epoch, key, value)
        return value
