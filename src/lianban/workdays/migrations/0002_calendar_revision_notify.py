"""Calendar notifications: PostgreSQL tells every application process that the working-day calendar changed.

A statement-level trigger on ``workdays_calendarrevision`` (whose token every override write renews)
sends ``tcalendar`` on channel ``lianban_track`` (the listener of ``cases.track_local``) at the commit
of any change, so a process keeps its calendar until it changes (``cases.clock.calendar``) instead of
reading the revision in every service call. SQLite has no notifications: there it is read each time.
"""

from django.db import migrations

from lianban.common.migration_helpers import topic_notify_operation


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_overrides_and_covered_years")]

    operations = [
        topic_notify_operation(table="workdays_calendarrevision", topic="calendar", what="calendar notification")
    ]
