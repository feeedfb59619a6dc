"""Database triggers that make the audit trail append-only on SQLite and PostgreSQL.

The application never updates or deletes a ``cases_caseevent`` row; these
triggers make the database refuse it too, whoever asks (raw SQL included).

On SQLite a DELETE is refused while the event's case exists. Cases cannot be
deleted by the application either (PROTECT); the only statement that removes
both is wiping the whole database, which the test runner does between
transactional tests. On PostgreSQL row-level triggers refuse every UPDATE and
DELETE; TRUNCATE (owner only) is what the test runner uses there.
"""

from lianban.common.migration_helpers import statements_per_vendor
from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
    """
    CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update;",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_delete;",
]
POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'case events are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER cases_caseevent_no_update_or_delete
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_caseevent_append_only();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update_or_delete ON cases_caseevent;",
    "DROP FUNCTION IF EXISTS cases_caseevent_append_only();",
]


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_material_licence_and_users"),
    ]

    operations = [
        migrations.RunPython(
            statements_per_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            statements_per_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
