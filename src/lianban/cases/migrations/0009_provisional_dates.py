"""Provisional (预计) due dates and ETAs: a flag on each, and partial indexes for their recomputation.

On SQLite, adding a column to ``cases_case`` rebuilds it, which the events'
delete trigger names: the trigger is dropped for the rebuild and made again
(as in 0006).
"""

from django.conf import settings
from lianban.common.migration_helpers import sqlite_event_trigger_create, sqlite_event_trigger_drop
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_security_role_and_account_trail'),
        ('cases', '0008_case_has_overdue_items'),
        ('catalog', '0003_revision_token'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_event_trigger_drop, sqlite_event_trigger_create),
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
        migrations.RunPython(sqlite_event_trigger_create, sqlite_event_trigger_drop),
    ]
