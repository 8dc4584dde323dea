"""Every change to routing rules or service groups gives the "routing" version a new token,
against which processes cache the rules (aftersales.core.dataversion)."""

from django.db import migrations

from aftersales.core import dataversion

TABLES = ["tickets_routingrule", "tickets_servicegroup"]


def forwards(apps, schema_editor):
    dataversion.install_triggers(schema_editor, "routing", TABLES)


def backwards(apps, schema_editor):
    dataversion.remove_triggers(schema_editor, "routing", TABLES)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_ticket_attachments"), ("core", "0004_data_version")]
    operations = [migrations.RunPython(forwards, backwards)]
