"""Fixtures of the applicant pages' tests: the case-engine kit (catalog, people, frozen clock) and clients."""

from __future__ import annotations

import pytest

from lianban.catalog.services import CatalogFile
from lianban.demo.services import demo_catalog_files
from tests.cases.kit import EXTRA_CATALOG as CASES_EXTRA
from tests.cases.kit import case_rows_wiped_first, catalog, clock, import_catalog, people
from tests.portal.conftest import EXTRA_CATALOG as PORTAL_EXTRA

__all__ = ["case_rows_wiped_first", "catalog", "clock", "people"]


@pytest.fixture
def person_catalog(people):
    """The kit's catalog plus the portal's person things (PT-MOVE, PT-PLAIN)."""
    import_catalog(
        *demo_catalog_files(),
        CatalogFile("extra.yaml", CASES_EXTRA.encode()),
        CatalogFile("portal.yaml", PORTAL_EXTRA.encode()),
    )


@pytest.fixture
def boss(client, people, clock):
    """The test client signed in as the enterprise applicant's user, reading English (the msgids)."""
    client.force_login(people.applicant_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
