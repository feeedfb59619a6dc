"""Ratings, append-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL.

As for the deadline signals (supervision 0002): on SQLite a DELETE is refused
while the rating's case exists (the test runner wipes the whole database); on
PostgreSQL every UPDATE and DELETE is refused (the test runner truncates).
"""

from django.db import migrations

from lianban.common.migration_helpers import statements_per_vendor

SQLITE_FORWARD = [
    """
    CREATE TRIGGER evaluation_rating_no_update BEFORE UPDATE ON evaluation_rating
    BEGIN SELECT RAISE(ABORT, 'ratings are append-only'); END;
    """,
    """
    CREATE TRIGGER evaluation_rating_no_delete BEFORE DELETE ON evaluation_rating
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN SELECT RAISE(ABORT, 'ratings are append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS evaluation_rating_no_update;",
    "DROP TRIGGER IF EXISTS evaluation_rating_no_delete;",
]
POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION evaluation_rating_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ratings are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER evaluation_rating_no_update_or_delete
    BEFORE UPDATE OR DELETE ON evaluation_rating
    FOR EACH ROW EXECUTE FUNCTION evaluation_rating_append_only();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS evaluation_rating_no_update_or_delete ON evaluation_rating;",
    "DROP FUNCTION IF EXISTS evaluation_rating_append_only();",
]


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_ratings_tickets")]

    operations = [
        migrations.RunPython(
            statements_per_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            statements_per_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
