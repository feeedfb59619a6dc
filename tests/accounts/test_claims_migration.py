"""Migration 0007 (identity claims) forward on a database with applicants: rows kept, the identity still unique."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

import pytest

from lianban.accounts.models import Applicant
from lianban.accounts.selectors import applicant_get_by_identity
from tests.cases.kit import RIC, USCC

BEFORE = [("accounts", "0006_security_role_and_account_trail")]
AFTER = [("accounts", "0007_applicant_identity_claims")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def at_0006(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = migrate(BEFORE)
    yield executor
    migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema for the next tests


def test_the_migration_keeps_the_applicants_and_the_identity_unique(at_0006: MigrationExecutor) -> None:
    old = at_0006.loader.project_state(BEFORE).apps.get_model("accounts", "Applicant")
    rows = [
        old.objects.create(kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"),
        old.objects.create(kind="person", id_number=RIC, name="张三", contact_name="张三", contact_phone="2"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():  # unique before
        old.objects.create(kind="person", id_number=RIC, name="又", contact_name="x", contact_phone="3")
    migrate(AFTER)
    found = applicant_get_by_identity(kind="enterprise", id_number=USCC)
    assert found is not None and (found.pk, found.name, found.contact_phone) == (rows[0].pk, "公司", "1")
    assert [a.is_unverified_claim for a in Applicant.objects.order_by("id")] == [False, False]
    # after: a claim may share the identity, another registered applicant may not
    person = Applicant.objects.get(pk=rows[1].pk)
    Applicant.objects.create(
        kind="person", id_number=RIC, name="冒名", contact_name="x", contact_phone="3", claim_of=person
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(kind="person", id_number=RIC, name="又", contact_name="x", contact_phone="4")
    assert applicant_get_by_identity(kind="person", id_number=RIC) == person
