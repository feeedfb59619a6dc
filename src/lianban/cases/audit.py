"""The tamper-evident audit trail: SM3 hash chains over the events, daily anchors, verification.

Each event is number ``seq`` of its chain: the events of its case, or the
events without a case (one chain). Its ``hash`` is the SM3 digest of a
canonical serialisation (:func:`event_canonical`) of every column that says
what happened plus ``prev_hash``, the previous event's hash (``GENESIS`` for
the first). Changing, deleting or reordering an event breaks the chain at
that event; :func:`verify` recomputes every chain and names the first broken
link of each.

Chains alone cannot show that the last events of a chain were deleted. A
daily anchor (:func:`anchor_close_days`, run by the worker) hashes every event
appended before the end of a day, in id order, chained to the previous
anchor; :func:`verify` recomputes the anchors too.

Appending is serialised per chain: the services hold the case row lock
(``workflow.lock_case``) when they record an event; events without a case take
a transaction-level advisory lock on PostgreSQL (SQLite runs one writer at a
time). A unique ``(case, seq)`` makes a missed lock fail instead of forking the
chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cryptography.hazmat.primitives import hashes

from lianban.cases.models import AuditAnchor, CaseEvent

#: ``prev_hash`` of the first event of a chain and of the first anchor.
GENESIS = "0" * 64
#: Version of the canonical serialisation, part of what is hashed.
HASH_VERSION = 1
#: PostgreSQL advisory lock key of the chain of events without a case ("lianban" in ASCII).
CASELESS_CHAIN_LOCK = 0x6C69616E62616E
#: Columns the hashes read (the rest of an event is not loaded by the checks).
HASHED_FIELDS = (
    "id",
    "case_id",
    "seq",
    "prev_hash",
    "hash",
    "item_case_id",
    "actor_id",
    "actor_role",
    "at",
    "action",
    "before",
    "after",
    "reason",
)


def sm3_hex(data: bytes) -> str:
    """The SM3 digest (GB/T 32905) of ``data``, as 64 hex digits."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _canonical_json(value: Any) -> Any:
    """JSON values in the form both databases give back: integral floats as ints, keys as strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_canonical(event: CaseEvent) -> bytes:
    """The canonical serialisation that is hashed: sorted-key compact UTF-8 JSON of the event's columns."""
    payload = {
        "v": HASH_VERSION,
        "case": event.case_id,
        "seq": event.seq,
        "prev": event.prev_hash,
        "item_case": event.item_case_id,
        "actor": event.actor_id,
        "role": event.actor_role,
        "at": _utc(event.at),
        "action": event.action,
        "before": _canonical_json(event.before),
        "after": _canonical_json(event.after),
        "reason": event.reason,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def event_hash(event: CaseEvent) -> str:
    """The SM3 hash an event must carry."""
    return sm3_hex(event_canonical(event))


def chain_link(event: CaseEvent) -> None:
    """Give an event about to be inserted its place in its chain: ``seq``, ``prev_hash`` and ``hash``.

    Call inside the transaction that inserts it, with the chain locked: the
    case row locked by the service, or (no case) the advisory lock taken here.
    """
    if event.case_id is None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CASELESS_CHAIN_LOCK])
        chain = CaseEvent.objects.filter(case__isnull=True)
    else:
        known = chain_head_known(event.case_id)
        if known is not None:
            event.seq, event.prev_hash = known[0] + 1, known[1]
            _finish_link(event)
            return
        chain = CaseEvent.objects.filter(case_id=event.case_id)
    last = chain.order_by("-seq").values_list("seq", "hash").first()
    event.seq, event.prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    _finish_link(event)


def _finish_link(event: CaseEvent) -> None:
    """Canonical JSON and the hash, once ``seq`` and ``prev_hash`` are set."""
    # What the database will give back: canonical JSON, microsecond datetimes.
    event.before = _canonical_json(event.before)
    event.after = _canonical_json(event.after)
    event.hash = event_hash(event)


# ------------------------------------------------------------------ chain heads known in the transaction
#
# The last link of a case's chain is read with the case row lock (``workflow.lock_case``) and
# advanced by every event appended after it, so a service appending several events reads the
# chain once. What is remembered is valid only as long as the writes it was learnt from are part
# of the transaction: each entry carries a marker registered with ``transaction.on_commit``, and
# Django drops a savepoint's callbacks when the savepoint rolls back and all of them when the
# transaction ends, so an entry whose marker is no longer pending is never used (the chain is
# read instead). Entries are kept on the connection, not on a case instance, so an event
# appended through another instance of the same case advances the same entry.

_HEADS = "_lianban_chain_heads"


class ChainMarker:
    """A no-op ``on_commit`` callback whose presence says "the writes before it still count"."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


def _pending(marker: ChainMarker) -> bool:
    return any(entry[1] is marker for entry in connection.run_on_commit)


def chain_head_remember(case_id: int, seq: int | None, last_hash: str | None) -> None:
    """Remember, for the rest of the transaction, that ``seq``/``last_hash`` end the case's chain.

    Call with the case row locked: after reading the head in a statement run once the lock was
    granted (:func:`chain_head_columns`; ``None``: no event yet), and after appending an event. Outside a transaction nothing is remembered.
    """
    if not connection.in_atomic_block:
        return
    memo: tuple[ChainMarker, dict[int, tuple[int, str, ChainMarker]]] | None = getattr(connection, _HEADS, None)
    if memo is None or not _pending(memo[0]):
        memo = (ChainMarker(), {})
        transaction.on_commit(memo[0])
        setattr(connection, _HEADS, memo)
    marker = ChainMarker()
    transaction.on_commit(marker)
    memo[1][case_id] = (seq or 0, last_hash or GENESIS, marker)


def chain_head_columns(case_ref: str = "case_id") -> dict[str, Subquery]:
    """Annotations giving the last ``seq`` and ``hash`` of the chain of the case ``case_ref`` names.

    For a read made *after* the case row is locked (a later statement sees every event committed
    before the lock was granted; the locking statement itself may not, on PostgreSQL, when it had
    to wait), to be passed to :func:`chain_head_remember`.
    """
    last = CaseEvent.objects.filter(case=OuterRef(case_ref)).order_by("-seq")
    return {"chain_seq": Subquery(last.values("seq")[:1]), "chain_hash": Subquery(last.values("hash")[:1])}


def chain_head_known(case_id: int) -> tuple[int, str] | None:
    """``(seq, hash)`` of the case chain's last event if remembered in this transaction and still valid."""
    memo: tuple[ChainMarker, dict[int, tuple[int, str, ChainMarker]]] | None = getattr(connection, _HEADS, None)
    if memo is None or not connection.in_atomic_block or not _pending(memo[0]):
        return None
    entry = memo[1].get(case_id)
    if entry is None or not _pending(entry[2]):
        return None
    return entry[0], entry[1]


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link of a chain (or anchor)."""

    chain: str
    event_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "-"
        return f"{self.chain}: #{self.seq} ({where}): {self.problem}"


def _chain_name(case_id: int | None) -> str:
    return f"case {case_id}" if case_id is not None else "events without a case"


def _events_by_chain() -> Iterator[CaseEvent]:
    return CaseEvent.objects.only(*HASHED_FIELDS).order_by("case_id", "seq", "id").iterator(chunk_size=2000)


def verify_chains() -> list[Break]:
    """Recompute every chain; the first broken link of each broken chain, in chain order."""
    breaks: list[Break] = []
    current: int | str | None = "none yet"
    expected_seq, expected_prev, broken = 1, GENESIS, False
    for event in _events_by_chain():
        if event.case_id != current:
            current, expected_seq, expected_prev, broken = event.case_id, 1, GENESIS, False
        if broken:
            continue
        problem = ""
        if event.seq != expected_seq:
            problem = (
                f"event number {expected_seq} is missing (deleted or reordered)"
                if event.seq > expected_seq
                else f"number {event.seq} appears twice or out of order"
            )
        elif event.prev_hash != expected_prev:
            problem = "does not follow the previous event (removed, inserted or reordered)"
        elif event_hash(event) != event.hash:
            problem = "content changed after it was written"
        if problem:
            breaks.append(Break(_chain_name(event.case_id), event.pk, event.seq, problem))
            broken = True
            continue
        expected_seq, expected_prev = event.seq + 1, event.hash
    return breaks


def _anchor_hash(prev_hash: str, event_hashes: Iterator[str]) -> tuple[str, int]:
    """SM3 over the previous anchor's hash and each event hash in id order; with the count."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(f"lianban-anchor-v{HASH_VERSION}:{prev_hash}".encode())
    count = 0
    for value in event_hashes:
        digest.update(b"\n" + value.encode())
        count += 1
    return digest.finalize().hex(), count


def _hashes_between(after_id: int, last_id: int) -> Iterator[str]:
    return (
        CaseEvent.objects.filter(id__gt=after_id, id__lte=last_id)
        .order_by("id")
        .values_list("hash", flat=True)
        .iterator(chunk_size=5000)
    )


def verify_anchors() -> list[Break]:
    """Recompute the anchors in order; the first one that no longer matches its events (or its predecessor)."""
    prev_hash, after_id = GENESIS, 0
    for number, anchor in enumerate(AuditAnchor.objects.order_by("seq"), start=1):
        problem = ""
        if anchor.seq != number:
            problem = f"anchor number {number} is missing"
        elif anchor.prev_hash != prev_hash:
            problem = "does not follow the previous anchor"
        else:
            value, count = _anchor_hash(prev_hash, _hashes_between(after_id, anchor.last_event_id))
            if count != anchor.events:
                problem = f"covers {count} events, {anchor.events} when it was made (events deleted or added)"
            elif value != anchor.hash:
                problem = "the events it covers changed"
        if problem:
            return [Break(f"daily anchor of {anchor.day}", None, anchor.seq, problem)]
        prev_hash, after_id = anchor.hash, anchor.last_event_id
    return []


def verify() -> list[Break]:
    """Every broken chain's first broken link, then the first broken anchor; empty when all hold."""
    return verify_chains() + verify_anchors()


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def anchor_close_days(today: date) -> list[AuditAnchor]:
    """Anchor every day before ``today`` with events not yet anchored (one anchor per such day, oldest first).

    The anchor of a day covers the events appended since the previous anchor
    whose ``at`` is before the day's end (in the site's time zone).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CASELESS_CHAIN_LOCK + 1])
    made: list[AuditAnchor] = []
    last = AuditAnchor.objects.order_by("-seq").first()
    seq, prev_hash, after_id = (last.seq, last.hash, last.last_event_id) if last else (0, GENESIS, 0)
    while True:
        pending = CaseEvent.objects.filter(id__gt=after_id)
        first_at = pending.order_by("at").values_list("at", flat=True).first()
        if first_at is None:
            break
        day = timezone.localdate(first_at)
        if last is not None and day <= last.day:
            day = last.day + timedelta(days=1)
        if day >= today:
            break
        last_id = pending.filter(at__lt=_day_end(day)).order_by("-id").values_list("id", flat=True).first()
        if last_id is None:  # events dated later only: an empty anchor keeps the days contiguous
            last_id = after_id
        value, count = _anchor_hash(prev_hash, _hashes_between(after_id, last_id))
        seq += 1
        last = AuditAnchor.objects.create(
            seq=seq, day=day, last_event_id=last_id, events=count, prev_hash=prev_hash, hash=value
        )
        made.append(last)
        prev_hash, after_id = value, last_id
    return made
