"""PostgreSQL: the rate-limit count as a function, `core_ratecount(key, window_start)`, so a
statement that has another job (the bearer-token look-up of an API write) can count the
write in the same round trip (aftersales.core.ratelimit). Also drops the counter key's LIKE
index, which 0003 meant to drop but ran before Django created it."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION core_ratecount(counter_key text, counter_window bigint) RETURNS integer AS $$
DECLARE
  counted integer;
BEGIN
  -- PL/pgSQL keeps the statement's plan for the session (a LANGUAGE sql body is planned anew
  -- on every call).
  INSERT INTO core_ratecounter ("key", window_start, "count") VALUES (counter_key, counter_window, 1)
  ON CONFLICT ("key") DO UPDATE SET
    "count" = CASE WHEN core_ratecounter.window_start = excluded.window_start
                   THEN core_ratecounter."count" + 1 ELSE 1 END,
    window_start = excluded.window_start
  RETURNING "count" INTO counted;
  RETURN counted;
END; $$ LANGUAGE plpgsql VOLATILE;"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_ratecounter' AND indexname LIKE %s",
                       ["%\\_like"])
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX "{name}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS core_ratecount(text, bigint)")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_fewer_write_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
