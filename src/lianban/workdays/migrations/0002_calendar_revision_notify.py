"""Calendar notifications: PostgreSQL tells every application process that the working-day calendar changed.

A statement-level trigger on ``workdays_calendarrevision`` (whose token every override write renews)
sends ``tcalendar`` on channel ``lianban_track`` (the listener of ``cases.track_local``) at the commit
of any change, so a process keeps its calendar until it changes (``cases.clock.calendar``) instead of
reading the revision in every service call. SQLite has no notifications: there it is read each time.
"""

from django.db import migrations

from lianban.common.migration_helpers import statements_per_vendor

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION lianban_notify_calendar() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('lianban_track', 'tcalendar');
        RETURN NULL;
    END $$;
    """,
    """
    CREATE TRIGGER workdays_calendarrevision_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON workdays_calendarrevision FOR EACH STATEMENT EXECUTE FUNCTION lianban_notify_calendar();
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS workdays_calendarrevision_notify ON workdays_calendarrevision;",
    "DROP FUNCTION IF EXISTS lianban_notify_calendar();",
]


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_overrides_and_covered_years")]

    operations = [
        migrations.RunPython(
            statements_per_vendor({"postgresql": POSTGRESQL, "sqlite": []}, what="calendar notification"),
            statements_per_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": []}, what="calendar notification"),
        ),
    ]
