"""Provisional (预计) due dates and ETAs: a flag on each, and partial indexes for their recomputation.

On SQLite, adding a column to ``cases_case`` rebuilds it, which the events'
delete trigger names: the trigger is dropped for the rebuild and made again
(as in 0006).
"""

from django.conf import settings
from django.db import migrations, models

SQLITE_DELETE_TRIGGER = """
    CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
"""


def sqlite_trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_delete;")


def sqlite_trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_delete;")
        schema_editor.execute(SQLITE_DELETE_TRIGGER)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_security_role_and_account_trail'),
        ('cases', '0008_case_has_overdue_items'),
        ('catalog', '0003_revision_token'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_trigger_drop, sqlite_trigger_create),
        migrations.AddField(
            model_name='case',
            name='eta_provisional',
            field=models.BooleanField(default=False, help_text='Counted through a year without an official holiday arrangement; recomputed when it is entered.', verbose_name='expected ready is provisional (预计)'),
        ),
        migrations.AddField(
            model_name='itemcase',
            name='due_provisional',
            field=models.BooleanField(default=False, help_text='Counted through a year without an official holiday arrangement; recomputed when it is entered.', verbose_name='due date is provisional (预计)'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('eta_provisional', True)), fields=['id'], name='case_eta_provisional'),
        ),
        migrations.AddIndex(
            model_name='itemcase',
            index=models.Index(condition=models.Q(('due_provisional', True)), fields=['case'], name='itemcase_due_provisional'),
        ),
        migrations.RunPython(sqlite_trigger_create, sqlite_trigger_drop),
    ]
