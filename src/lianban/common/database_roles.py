"""What the application's database role may do (PostgreSQL): rows only, and only appends to the audit trail.

The schema owner (``MIGRATION_DATABASE_URL``) owns every table, so only it
can ALTER, DROP or disable triggers. The application role gets SELECT,
INSERT, UPDATE and DELETE on the tables and use of the sequences, never
TRUNCATE; on the audit tables only SELECT and INSERT.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

#: Append-only tables: the application role may read and insert, nothing else.
APPEND_ONLY_TABLES = ("cases_caseevent", "cases_auditanchor")


def app_role_grant(connection: BaseDatabaseWrapper, role: str) -> None:
    """Grant ``role`` row access to every table of the current schema (run as the owner, after migrating)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = qn(cursor.fetchone()[0])
        who = qn(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {who}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM {who}")
        cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {who}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}")
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {qn(table)} FROM {who}")
