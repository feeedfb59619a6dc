"""Fixtures of the workbench page tests: the case-engine kit (catalog with 容缺 and fees, people, frozen clock)."""

from __future__ import annotations

import pytest

from tests.cases.kit import case_rows_wiped_first, catalog, clock, people

__all__ = ["case_rows_wiped_first", "catalog", "clock", "people", "signed_in"]


@pytest.fixture
def signed_in(client):
    """``signed_in(user)``: the test client, logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login
