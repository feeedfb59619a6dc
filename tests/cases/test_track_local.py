"""Tracking stamps kept in the process (``cases.track_local``): what is kept, what is forgotten, and when.

The first tests drive :class:`LocalStamps` with a stand-in listener (no
database): a read that raced a notification is not kept, a case's
notification forgets its stamp, ``*`` and a reset forget everything, the
bounds hold. The last ones use PostgreSQL's real notifications: a lost
listener connection is noticed, requests read the database meanwhile, and
the listener comes back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from django.db import connection
from django.test import Client, override_settings

import pytest

from lianban.cases import track_local
from lianban.cases.track_local import LocalStamps
from lianban.intake.services import intake_accept
from tests.cases.kit import FrozenClock, People, check_all, submit


class StandIn:
    """The part of a listener LocalStamps uses; ``arrivals`` are notifications waiting on its socket."""

    def __init__(self, stamps: LocalStamps) -> None:
        self.lock = threading.Lock()
        self.live = True
        self.arrivals: list[str] = []
        self.stamps = stamps

    def ensure_started(self) -> None:
        pass

    def drain(self) -> bool:
        if not self.live:
            return False
        while self.arrivals:
            self.stamps.on_payload(self.arrivals.pop(0))
        return True


@pytest.fixture
def stamps() -> LocalStamps:
    kept = LocalStamps(max_stamps=3, max_answers=2)
    kept.listener = StandIn(kept)  # type: ignore[assignment]
    return kept


def reader(rows: dict[str, tuple[int, str]]) -> tuple[Callable[[str], tuple[int, str] | None], list[str]]:
    reads: list[str] = []

    def read(code: str) -> tuple[int, str] | None:
        reads.append(code)
        return rows.get(code)

    return read, reads


def test_a_stamp_is_read_once_and_kept_until_its_case_is_notified(stamps: LocalStamps) -> None:
    rows = {"A": (1, "v1"), "B": (2, "v1")}
    read, reads = reader(rows)
    assert stamps.stamp_row("A", read) == (1, "v1")
    assert stamps.stamp_row("A", read) == (1, "v1")
    assert stamps.stamp_row("B", read) == (2, "v1")
    assert reads == ["A", "B"]
    rows["A"] = (1, "v2")
    stamps.listener.arrivals.append("c1")  # type: ignore[union-attr]
    assert stamps.stamp_row("A", read) == (1, "v2")
    assert stamps.stamp_row("B", read) == (2, "v1")  # another case's stamp stays
    assert reads == ["A", "B", "A"]


def test_unknown_codes_are_not_kept(stamps: LocalStamps) -> None:
    read, reads = reader({})
    assert stamps.stamp_row("X", read) is None
    assert stamps.stamp_row("X", read) is None
    assert reads == ["X", "X"]


def test_a_read_that_raced_a_notification_is_not_kept(stamps: LocalStamps) -> None:
    rows = {"A": (1, "old")}

    def read(code: str) -> tuple[int, str] | None:
        # a commit lands while the database is read: the read may be older than the commit
        stamps.listener.arrivals.append("c1")  # type: ignore[union-attr]
        return rows[code]

    assert stamps.stamp_row("A", read) == (1, "old")
    rows["A"] = (1, "new")
    assert stamps.stamp_row("A", read) == (1, "new")  # read again, not served from a kept stale row


def test_everything_is_forgotten_on_star_and_on_reset(stamps: LocalStamps) -> None:
    read, reads = reader({"A": (1, "v"), "B": (2, "v")})
    stamps.stamp_row("A", read)
    stamps.stamp_row("B", read)
    stamps.listener.arrivals.append("*")  # type: ignore[union-attr]
    stamps.stamp_row("A", read)
    assert reads == ["A", "B", "A"]
    stamps.on_reset()
    stamps.stamp_row("A", read)
    stamps.stamp_row("B", read)
    assert reads == ["A", "B", "A", "A", "B"]


def test_nothing_is_kept_or_served_while_the_listener_is_not_listening(stamps: LocalStamps) -> None:
    read, reads = reader({"A": (1, "v")})
    stamps.listener.live = False  # type: ignore[union-attr]
    stamps.stamp_row("A", read)
    stamps.stamp_row("A", read)
    assert reads == ["A", "A"]


def test_sync_tokens_change_nothing(stamps: LocalStamps) -> None:
    read, reads = reader({"A": (1, "v")})
    stamps.stamp_row("A", read)
    stamps.listener.arrivals.append("sabc")  # type: ignore[union-attr]
    stamps.stamp_row("A", read)
    assert reads == ["A"]


def test_the_least_recently_used_go_first_and_their_cases_are_forgotten(stamps: LocalStamps) -> None:
    rows = {c: (i, "v") for i, c in enumerate("ABCD", start=1)}
    read, reads = reader(rows)
    for code in "ABC":
        stamps.stamp_row(code, read)
    stamps.stamp_row("A", read)  # A used again: B is now the oldest
    stamps.stamp_row("D", read)  # over the bound of 3: B goes
    assert reads == ["A", "B", "C", "D"]
    stamps.stamp_row("B", read)
    assert reads[-1] == "B"
    assert set(stamps._stamps) == {"A", "D", "B"}
    assert set(stamps._code_of_case) == {1, 4, 2}


def test_answers_are_kept_by_key_within_their_bound(stamps: LocalStamps) -> None:
    built: list[str] = []

    def build(key: str) -> Callable[[], bytes]:
        return lambda: (built.append(key), key.encode())[1]

    for key in ("k1", "k1", "k2", "k3", "k1"):
        assert stamps.answer(key, build(key)) == key.encode()
    assert built == ["k1", "k2", "k3", "k1"]  # k1 was the oldest when k3 came (bound 2)


# ------------------------------------------------------------------ with PostgreSQL's notifications

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="notifications are PostgreSQL's (the PostgreSQL pass runs these)"
)


@pytest.fixture
def listening() -> Iterator[None]:
    with override_settings(LIANBAN_TRACK_LISTEN=True):
        yield
    track_local.STAMPS.stop()


def listener_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE query ILIKE %s AND pid <> pg_backend_pid()",
            ["%LISTEN%lianban_track%"],
        )
        return [pid for (pid,) in cursor.fetchall()]


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("case_rows_wiped_first", "listening")
def test_a_lost_listener_connection_is_noticed_and_requests_read_the_database_until_it_listens_again(
    client: Client, people: People, clock: FrozenClock
) -> None:
    case = submit(people)
    url = f"/api/track/{case.tracking_code}"
    assert track_local.STAMPS.sync()
    assert client.get(url).json()["state"] == "SUBMITTED"
    assert track_local.listener_state()["stamps"] == 1

    pids = listener_backends()
    assert len(pids) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pids[0]])
    deadline = time.monotonic() + 10
    while track_local.listener_state()["live"] and time.monotonic() < deadline:
        client.get(url)  # a request notices the broken connection when it drains
        time.sleep(0.01)
    # changes made while nobody listens are never served stale: nothing is kept meanwhile
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    assert client.get(url).json()["state"] == "IN_PROGRESS"

    assert track_local.STAMPS.sync(timeout=15), "the listener did not listen again"
    assert client.get(url).json()["state"] == "IN_PROGRESS"
    assert len(listener_backends()) == 1
