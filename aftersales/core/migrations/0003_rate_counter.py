from django.db import migrations, models


def unlogged_on_postgresql(apps, schema_editor):
    """Counters need no crash safety: on PostgreSQL the table skips the write-ahead log, and
    the primary key's LIKE index (never used: keys are matched whole) goes."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_ratecounter' AND indexname LIKE %s",
                       ["%\\_like"])
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_auditlog_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("window_start", models.BigIntegerField()),
                ("count", models.PositiveIntegerField()),
            ],
            options={
                "verbose_name": "rate-limit counter",
                "verbose_name_plural": "rate-limit counters",
            },
        ),
        migrations.RunPython(unlogged_on_postgresql, migrations.RunPython.noop),
    ]
