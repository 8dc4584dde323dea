"""Every change to the calendar tables gives the "calendars" version a new token, against
which processes cache built business calendars (aftersales.core.dataversion)."""

from django.db import migrations

from aftersales.core import dataversion

TABLES = ["calendars_calendarday", "calendars_calendaryear", "calendars_servicecalendar", "calendars_servicehours"]


def forwards(apps, schema_editor):
    dataversion.install_triggers(schema_editor, "calendars", TABLES)


def backwards(apps, schema_editor):
    dataversion.remove_triggers(schema_editor, "calendars", TABLES)


class Migration(migrations.Migration):
    dependencies = [("calendars", "0003_unique_day_message"), ("core", "0004_data_version")]
    operations = [migrations.RunPython(forwards, backwards)]
