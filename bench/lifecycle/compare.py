"""Proof that the floor writes what the services write: rows per table and write statements per table."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.lifecycle.capture import Capture, capture, rows_added, table_rows
from bench.lifecycle.floor import Context, Floor
from bench.lifecycle.hotel import HotelLifecycle

#: Tracking-code characters (Crockford base32) for the floor's codes.
_CODE = string.digits + "ABCDEFGHJKMNPQRSTVWXYZ"


class FloorLifecycle:
    """Replays of the floor, each with its own tracking code and token."""

    def __init__(self, floor: Floor, prefix: str) -> None:
        if len(prefix) != 4 or any(c not in _CODE for c in prefix):
            raise ValueError(f"the prefix is 4 tracking-code characters: {prefix!r}")
        self.floor = floor
        self.prefix = prefix
        self.counter = 0

    def run(self) -> Context:
        self.counter += 1
        return self.floor.run(code=f"{self.prefix}{self.counter:08d}", token=f"{self.prefix}F{self.counter:07d}")


def reference(lifecycle: HotelLifecycle) -> tuple[Capture, Floor]:
    """Record one service lifecycle and build the floor from it (the pool is filled first, outside)."""
    lifecycle.ensure_pool(2)  # this lifecycle and the one ``compare`` runs
    token = lifecycle.token()
    with capture() as recorded:
        case = lifecycle.run()
    return recorded, Floor(recorded.statements, code=case.tracking_code, token=token)


@dataclass
class Comparison:
    """One service lifecycle and one floor lifecycle, side by side.

    The same when both added the same rows to the same tables, with the same
    INSERT/UPDATE statements per table, in the same number of committed
    transactions.
    """

    services_rows: dict[str, int]
    floor_rows: dict[str, int]
    services_writes: dict[str, int]
    floor_writes: dict[str, int]
    services_queries: dict[str, int]
    floor_queries: dict[str, int]
    services_transactions: int
    floor_transactions: int

    @property
    def same(self) -> bool:
        return (
            self.services_rows == self.floor_rows
            and self.services_writes == self.floor_writes
            and self.services_transactions == self.floor_transactions
        )

    def differences(self) -> list[str]:
        """What differs, one line each (empty when the same)."""
        out = []
        for label, a, b in (
            ("rows", self.services_rows, self.floor_rows),
            ("write statements", self.services_writes, self.floor_writes),
        ):
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    out.append(f"{label} {key}: services {a.get(key, 0)}, floor {b.get(key, 0)}")
        if self.services_transactions != self.floor_transactions:
            out.append(f"transactions: services {self.services_transactions}, floor {self.floor_transactions}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_per_table": self.services_rows,
            "write_statements_per_table": self.services_writes,
            "services_queries": self.services_queries,
            "floor_queries": self.floor_queries,
            "services_transactions": self.services_transactions,
            "floor_transactions": self.floor_transactions,
            "same_rows_and_writes": self.same,
        }


def compare(services: Callable[[], object], floor: Callable[[], object]) -> Comparison:
    """Run one lifecycle of each, recording statements and counting the rows each added per table."""
    before = table_rows()
    with capture() as s:
        services()
    middle = table_rows()
    with capture() as f:
        floor()
    after = table_rows()
    return Comparison(
        services_rows=rows_added(before, middle),
        floor_rows=rows_added(middle, after),
        services_writes=s.writes(),
        floor_writes=f.writes(),
        services_queries=s.kinds(),
        floor_queries=f.kinds(),
        services_transactions=s.transactions,
        floor_transactions=f.transactions,
    )
