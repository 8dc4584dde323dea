# Webhook addresses and signing secrets encrypted at rest (decision 0014).
#
# The columns become TEXT (ciphertext is longer than the plaintext limits), then every
# existing row is encrypted in place with the current SECRET_KEY. Reversible: going back
# decrypts (with SECRET_KEY or a fallback) before the columns shrink again. Rows are read
# and written with plain SQL so the field's own conversion does not interfere.

import django.core.validators
from django.db import migrations

import aftersales.core.fields

COLUMNS = ("url", "secret")


def _rows(schema_editor, table):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(c) for c in COLUMNS)} FROM {quote(table)}")
        return cursor.fetchall()


def _write(schema_editor, table, pk, values):
    quote = schema_editor.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in COLUMNS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s", [*values, pk])


def encrypt_existing(apps, schema_editor):
    from aftersales.core.fields import encrypt, is_encrypted

    table = apps.get_model("notifications", "WebhookEndpoint")._meta.db_table
    for pk, *values in _rows(schema_editor, table):
        if all(not v or is_encrypted(v) for v in values):
            continue  # already done (a rerun after a partial failure)
        _write(schema_editor, table, pk, [encrypt(v) if v and not is_encrypted(v) else v for v in values])


def decrypt_existing(apps, schema_editor):
    from aftersales.core.fields import decrypt, is_encrypted

    table = apps.get_model("notifications", "WebhookEndpoint")._meta.db_table
    for pk, *values in _rows(schema_editor, table):
        # A DecryptionError stops the reversal (in its transaction): plaintext is not guessed.
        _write(schema_editor, table, pk, [decrypt(v) if v and is_encrypted(v) else v for v in values])


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=aftersales.core.fields.EncryptedTextField(blank=True, help_text='DingTalk robots with “sign” security: the SEC... secret.', max_length=200, verbose_name='signing secret'),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='url',
            field=aftersales.core.fields.EncryptedTextField(help_text="The robot's webhook address, key or access token included.", max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='URL'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
