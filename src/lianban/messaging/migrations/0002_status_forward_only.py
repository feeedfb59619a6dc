"""The database refuses a message status that moves backwards or leaves a final status (SQLite and PostgreSQL)."""

from django.db import migrations

RANK = "CASE {row}.status WHEN 'CREATED' THEN 0 WHEN 'SENDING' THEN 1 ELSE 2 END"
BACKWARDS = f"(({RANK.format(row='NEW')}) < ({RANK.format(row='OLD')}) OR (OLD.status IN ('DELIVERED', 'FAILED')))"

SQLITE = f"""
CREATE TRIGGER messaging_message_status_forward
BEFORE UPDATE OF status ON messaging_message
FOR EACH ROW WHEN NEW.status <> OLD.status AND {BACKWARDS}
BEGIN SELECT RAISE(ABORT, 'message status moves backwards'); END;
"""
POSTGRES_FUNCTION = f"""
CREATE FUNCTION messaging_message_status_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND {BACKWARDS} THEN
        RAISE EXCEPTION 'message % status moves backwards: % -> %', OLD.id, OLD.status, NEW.status;
    END IF;
    RETURN NEW;
END $$;
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER messaging_message_status_forward BEFORE UPDATE OF status ON messaging_message
FOR EACH ROW EXECUTE FUNCTION messaging_message_status_forward();
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(POSTGRES_TRIGGER)
    else:
        schema_editor.execute(SQLITE)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute("DROP TRIGGER IF EXISTS messaging_message_status_forward" + (
        " ON messaging_message" if schema_editor.connection.vendor == "postgresql" else ""
    ))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS messaging_message_status_forward()")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_messages_templates_receipts_preferences")]

    operations = [migrations.RunPython(forward, backward)]
