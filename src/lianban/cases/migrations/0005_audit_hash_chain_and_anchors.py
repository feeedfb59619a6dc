"""SM3 hash chains over the audit events, daily anchors; the existing events are chained in place.

Existing events are linked per case in their order (``at``, ``id``) with the
append-only triggers out of the way for the backfill only (this runs as the
schema owner). On SQLite, altering ``case`` rebuilds the table, which drops
its triggers: they are created again at the end, and the anchors get the same
append-only triggers on both databases.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update;",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_delete;",
    """
    CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
    """
    CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
    "DROP TRIGGER IF EXISTS cases_auditanchor_no_update;",
    """
    CREATE TRIGGER cases_auditanchor_no_update BEFORE UPDATE ON cases_auditanchor
    BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
    """,
]
POSTGRES_TRIGGERS = [
    "DROP TRIGGER IF EXISTS cases_auditanchor_no_update_or_delete ON cases_auditanchor;",
    """
    CREATE TRIGGER cases_auditanchor_no_update_or_delete
    BEFORE UPDATE OR DELETE ON cases_auditanchor
    FOR EACH ROW EXECUTE FUNCTION cases_caseevent_append_only();
    """,
]


def chain_existing_events(apps, schema_editor):
    from lianban.cases.audit import GENESIS, event_hash

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")  # ALTER TABLE refuses pending trigger events
        schema_editor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_no_update_or_delete;")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update;")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    chain, seq, prev = object(), 0, GENESIS
    for event in CaseEvent.objects.order_by("case_id", "at", "id").iterator(chunk_size=2000):
        if event.case_id != chain:
            chain, seq, prev = event.case_id, 0, GENESIS
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = event_hash(event)
        CaseEvent.objects.filter(pk=event.pk).update(seq=event.seq, prev_hash=event.prev_hash, hash=event.hash)
    if vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")
        schema_editor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_no_update_or_delete;")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED;")


def append_only_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor)
    if statements is None:
        raise RuntimeError(f"no append-only trigger for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_item_due_unknown_calendar_year'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditAnchor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField(unique=True, verbose_name='number')),
                ('day', models.DateField(unique=True, verbose_name='day')),
                ('last_event_id', models.BigIntegerField(verbose_name='last event')),
                ('events', models.PositiveBigIntegerField(verbose_name='events covered')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='hash of the previous anchor')),
                ('hash', models.CharField(max_length=64, verbose_name='hash')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'audit anchor',
                'verbose_name_plural': 'audit anchors',
                'ordering': ['seq'],
            },
        ),
        migrations.AddField(
            model_name='caseevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='hash'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='hash of the previous event'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='seq',
            field=models.PositiveBigIntegerField(default=0, verbose_name='number in its chain'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(blank=True, help_text='Empty for events that concern no case.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='cases.case', verbose_name='case'),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.UniqueConstraint(fields=('case', 'seq'), name='caseevent_case_seq_once'),
        ),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.UniqueConstraint(condition=models.Q(('case__isnull', True)), fields=('seq',), name='caseevent_caseless_seq_once'),
        ),
        migrations.RunPython(append_only_triggers, migrations.RunPython.noop),
    ]
