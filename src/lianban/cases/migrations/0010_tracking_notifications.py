"""Tracking notifications: PostgreSQL tells every application process which case's tracking answer changed.

Statement-level triggers (one notification per changed case and statement,
at commit) on channel ``lianban_track``, read by ``cases.track_local``:

* ``c<id>`` when rows of ``cases_case`` are updated or events are appended
  to a case (every service write appends one);
* ``*`` (forget everything) when cases are deleted or truncated, when the
  working-day calendar's or the catalog's revision changes, and when one
  statement touches more than 100 cases (bulk loads, backfills).

SQLite has no notifications: there every tracking request reads the stamp.
"""

from django.db import migrations

from lianban.common.migration_helpers import statements_per_vendor

#: More changed cases than this in one statement: one ``*`` instead of one notification per case.
MANY = 100

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION lianban_track_notify_cases() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT count(*) FROM changed_rows) > {MANY} THEN
            PERFORM pg_notify('lianban_track', '*');
        ELSE
            PERFORM pg_notify('lianban_track', 'c' || id) FROM (SELECT DISTINCT id FROM changed_rows) AS c;
        END IF;
        RETURN NULL;
    END $$;
    """,
    f"""
    CREATE OR REPLACE FUNCTION lianban_track_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT count(DISTINCT case_id) FROM changed_rows) > {MANY} THEN
            PERFORM pg_notify('lianban_track', '*');
        ELSE
            PERFORM pg_notify('lianban_track', 'c' || case_id) FROM (SELECT DISTINCT case_id FROM changed_rows) AS e;
        END IF;
        RETURN NULL;
    END $$;
    """,
    """
    CREATE OR REPLACE FUNCTION lianban_track_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('lianban_track', '*');
        RETURN NULL;
    END $$;
    """,
    """
    CREATE TRIGGER cases_case_track_update AFTER UPDATE ON cases_case
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lianban_track_notify_cases();
    """,
    """
    CREATE TRIGGER cases_case_track_delete AFTER DELETE OR TRUNCATE ON cases_case
    FOR EACH STATEMENT EXECUTE FUNCTION lianban_track_notify_all();
    """,
    """
    CREATE TRIGGER cases_caseevent_track_insert AFTER INSERT ON cases_caseevent
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lianban_track_notify_events();
    """,
    """
    CREATE TRIGGER workdays_calendarrevision_track AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON workdays_calendarrevision FOR EACH STATEMENT EXECUTE FUNCTION lianban_track_notify_all();
    """,
    """
    CREATE TRIGGER catalog_catalogrevision_track AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON catalog_catalogrevision FOR EACH STATEMENT EXECUTE FUNCTION lianban_track_notify_all();
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS catalog_catalogrevision_track ON catalog_catalogrevision;",
    "DROP TRIGGER IF EXISTS workdays_calendarrevision_track ON workdays_calendarrevision;",
    "DROP TRIGGER IF EXISTS cases_caseevent_track_insert ON cases_caseevent;",
    "DROP TRIGGER IF EXISTS cases_case_track_delete ON cases_case;",
    "DROP TRIGGER IF EXISTS cases_case_track_update ON cases_case;",
    "DROP FUNCTION IF EXISTS lianban_track_notify_all();",
    "DROP FUNCTION IF EXISTS lianban_track_notify_events();",
    "DROP FUNCTION IF EXISTS lianban_track_notify_cases();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_provisional_dates"),
        ("catalog", "0003_revision_token"),
        ("workdays", "0001_overrides_and_covered_years"),
    ]

    operations = [
        migrations.RunPython(
            statements_per_vendor({"postgresql": POSTGRESQL, "sqlite": []}, what="tracking notification"),
            statements_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": []}, what="tracking notification"),
        ),
    ]
