"""PostgreSQL: the application's role cannot TRUNCATE, ALTER, DROP or disable triggers; an owner role migrates.

The test makes its own database and two roles (named after the test
database), migrates as the owner through ``lianban migrate`` with
``MIGRATION_DATABASE_URL``, loads the demo as the application role (normal
writes), then tries the destructive statements as the application role.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

import psycopg
import pytest
from psycopg import errors, sql

from tests.accounts.keys import TEST_KEY_ENV

ROOT = Path(__file__).resolve().parents[2]
DB = settings.DATABASES["default"]

pytestmark = pytest.mark.postgres  # database roles are a PostgreSQL matter: the PostgreSQL pass runs these


def _connect(dbname: str, user: str | None = None) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=DB["HOST"] or "127.0.0.1",
        port=DB["PORT"] or 5432,
        user=user or DB["USER"],
        password=DB["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


def _url(user: str, password: str, dbname: str) -> str:
    return f"postgres://{user}:{password}@{DB['HOST'] or '127.0.0.1'}:{DB['PORT'] or 5432}/{dbname}"


@pytest.fixture(scope="module")
def roles() -> Iterator[dict[str, str]]:
    """A fresh database owned by ``<base>_owner``, with ``<base>_app`` as the application role."""
    base = str(DB["NAME"]).removeprefix("test_")
    names = {"db": f"{base}_roles", "owner": f"{base}_owner", "app": f"{base}_app"}
    ident = {key: sql.Identifier(value) for key, value in names.items()}
    with _connect("postgres") as admin:

        def drop() -> None:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident["db"]))
            for role in ("app", "owner"):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident[role]))

        drop()
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'owner-pw'").format(ident["owner"]))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'app-pw'").format(ident["app"]))
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(ident["db"], ident["owner"]))
        with _connect(names["db"]) as in_db:  # as docs/security.md says (PostgreSQL < 15 lets PUBLIC create)
            in_db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            in_db.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(ident["owner"]))
        try:
            yield names
        finally:
            drop()


def lianban(roles: dict[str, str], tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    program = Path(sys.executable).with_name("lianban")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "LIANBAN_"))}
    env.update(TEST_KEY_ENV)
    env["LIANBAN_DATA_DIR"] = str(tmp)
    env["DATABASE_URL"] = _url(roles["app"], "app-pw", roles["db"])
    env["MIGRATION_DATABASE_URL"] = _url(roles["owner"], "owner-pw", roles["db"])
    return subprocess.run(  # noqa: S603
        [str(program), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def migrated(roles: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("roles")
    done = lianban(roles, tmp, "demo", "--no-serve")  # migrate as the owner, then the demo's writes as the app
    assert done.returncode == 0, done.stderr
    verified = lianban(roles, tmp, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    return roles


def test_the_owner_owns_every_table_and_the_application_role_none(migrated: dict[str, str]) -> None:
    with _connect(migrated["db"]) as conn:
        owners = {
            row[0]
            for row in conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall()
        }
        events = conn.execute("SELECT count(*) FROM cases_caseevent").fetchone()
    assert owners == {migrated["owner"]}
    assert events is not None
    assert events[0] > 0  # the demo wrote its cases as the application role


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE cases_caseevent",
        "TRUNCATE cases_case CASCADE",
        "ALTER TABLE cases_caseevent DISABLE TRIGGER USER",
        "ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_no_update_or_delete",
        "ALTER TABLE cases_caseevent ADD COLUMN forged text",
        "DROP TRIGGER cases_caseevent_no_update_or_delete ON cases_caseevent",
        "DROP TABLE cases_caseevent CASCADE",
        "DROP TABLE cases_auditanchor",
        "UPDATE cases_caseevent SET reason = 'forged'",
        "DELETE FROM cases_caseevent",
        "CREATE TABLE shadow (id int)",
        "CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
    ],
)
def test_the_application_role_is_refused(migrated: dict[str, str], statement: str) -> None:
    with _connect(migrated["db"], migrated["app"]) as app, pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)


def test_the_application_role_reads_and_writes_rows(migrated: dict[str, str]) -> None:
    with _connect(migrated["db"], migrated["app"]) as app:
        row = app.execute("SELECT id, case_id FROM cases_caseevent ORDER BY id LIMIT 1").fetchone()
        assert row is not None
        app.execute("UPDATE cases_case SET decision_reason = decision_reason WHERE id = %s", [row[1]])
        app.execute("UPDATE accounts_user SET display_name = display_name")
        app.execute("DELETE FROM django_session")
