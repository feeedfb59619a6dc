"""The application form is stored as one SM4-GCM ciphertext; existing forms are encrypted in place.

On SQLite, changing the column rebuilds ``cases_case``, which the events'
delete trigger names: the trigger is dropped for the rebuild and made again.
"""

import lianban.common.fields
from lianban.common.migration_helpers import (
    rows_decrypt,
    rows_encrypt,
    sqlite_event_trigger_create,
    sqlite_event_trigger_drop,
)
from django.db import migrations


def encrypt_case(apps, schema_editor):
    rows_encrypt(apps, "cases", "Case", ('form',))


def decrypt_case(apps, schema_editor):
    rows_decrypt(apps, "cases", "Case", ('form',), schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_audit_hash_chain_and_anchors'),
    ]

    operations = [
        migrations.RunPython(sqlite_event_trigger_drop, sqlite_event_trigger_create),
        migrations.AlterField(
            model_name='case',
            name='form',
            field=lianban.common.fields.EncryptedJSONField(default=dict, verbose_name='application form'),
        ),
        migrations.RunPython(sqlite_event_trigger_create, sqlite_event_trigger_drop),
        migrations.RunPython(encrypt_case, decrypt_case),
    ]
