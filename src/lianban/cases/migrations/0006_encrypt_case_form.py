"""The application form is stored as one SM4-GCM ciphertext; existing forms are encrypted in place.

On SQLite, changing the column rebuilds ``cases_case``, which the events'
delete trigger names: the trigger is dropped for the rebuild and made again.
"""

import lianban.common.fields
from lianban.common.migration_helpers import rows_decrypt, rows_encrypt
from django.db import migrations


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


def encrypt_case(apps, schema_editor):
    rows_encrypt(apps, "cases", "Case", ('form',))


def decrypt_case(apps, schema_editor):
    rows_decrypt(apps, "cases", "Case", ('form',), schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_audit_hash_chain_and_anchors'),
    ]

    operations = [
        migrations.RunPython(sqlite_trigger_drop, sqlite_trigger_create),
        migrations.AlterField(
            model_name='case',
            name='form',
            field=lianban.common.fields.EncryptedJSONField(default=dict, verbose_name='application form'),
        ),
        migrations.RunPython(sqlite_trigger_create, sqlite_trigger_drop),
        migrations.RunPython(encrypt_case, decrypt_case),
    ]
