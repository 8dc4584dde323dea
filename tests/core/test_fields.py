"""EncryptedTextField: values encrypted at rest with a key from SECRET_KEY, readable after a
key rotation through SECRET_KEY_FALLBACKS, masked for display. The webhook endpoint carries
the field in these tests (its address and signing secret)."""

import io
import json

import pytest
from django.core import serializers
from django.core.exceptions import FieldError, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from aftersales.core.fields import (
    DecryptionError,
    UnreadableValue,
    decrypt,
    encrypt,
    fingerprint,
    mask_secret,
    mask_url,
)
from aftersales.notifications.models import WebhookEndpoint

OLD_KEY = "the-key-before-the-rotation-0123456789abcdefghijklmnopqrstuvwxyz"
NEW_KEY = "the-key-after-the-rotation-9876543210zyxwvutsrqponmlkjihgfedcba"
URL = "https://oapi.dingtalk.com/robot/send?access_token=5f2c1e0d9b8a7f6e"
SECRET = "SECd41d8cd98f00b204e9800998ecf8427e"


def stored_row(pk: int) -> tuple[str, str]:
    """The row as the database holds it, read past the model."""
    table = WebhookEndpoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT url, secret FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])
        return cursor.fetchone()


def make_endpoint(**kwargs) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(**{"name": "钉钉华东群", "kind": "dingtalk", "url": URL,
                                             "secret": SECRET, **kwargs})


@pytest.mark.django_db
def test_the_database_holds_neither_the_address_nor_the_secret_in_clear():
    endpoint = make_endpoint()
    url, secret = stored_row(endpoint.pk)
    assert url.startswith("enc1:") and secret.startswith("enc1:")
    for clear in ("access_token", "5f2c1e0d9b8a7f6e", "dingtalk", SECRET, "d41d8cd9"):
        assert clear not in url and clear not in secret
    fresh = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (fresh.url, fresh.secret) == (URL, SECRET)


@pytest.mark.django_db
def test_an_empty_secret_stays_empty_and_the_same_text_encrypts_differently_each_time():
    endpoint = make_endpoint(secret="")
    assert stored_row(endpoint.pk)[1] == ""
    assert encrypt(SECRET) != encrypt(SECRET)
    assert decrypt(encrypt(SECRET)) == SECRET


@pytest.mark.django_db
def test_after_a_key_rotation_the_fallback_reads_old_rows_and_saving_moves_them_to_the_new_key(settings):
    settings.SECRET_KEY = OLD_KEY
    endpoint = make_endpoint()
    stored_with_old_key = stored_row(endpoint.pk)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (endpoint.url, endpoint.secret) == (URL, SECRET)
    endpoint.save()
    assert stored_row(endpoint.pk) != stored_with_old_key

    settings.SECRET_KEY_FALLBACKS = []  # the old key retired: the re-saved row still reads
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == SECRET


@pytest.mark.django_db
def test_without_the_old_key_a_value_reads_as_unreadable_and_saving_keeps_the_ciphertext(settings):
    settings.SECRET_KEY = OLD_KEY
    endpoint = make_endpoint()
    stored = stored_row(endpoint.pk)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert isinstance(endpoint.url, UnreadableValue) and endpoint.url == ""
    assert endpoint.credentials_unreadable
    with translation.override("en"):
        assert endpoint.get_url_display() == "(cannot be decrypted)"
    endpoint.active = False
    endpoint.save()  # another field changed: the unreadable values are written back as they were
    assert stored_row(endpoint.pk) == stored

    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]  # the old key put back: nothing was lost
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == URL


def test_a_value_that_is_not_ours_is_refused():
    for stored in ("plain text", "enc1:not base64!!", "enc1:" + "A" * 40):
        with pytest.raises(DecryptionError):
            decrypt(stored)


@pytest.mark.django_db
def test_the_url_length_limit_applies_to_the_address_not_the_ciphertext():
    endpoint = WebhookEndpoint(name="x", kind="wecom", url="https://example.com/" + "k" * 480)
    endpoint.full_clean()  # 500 characters: allowed, though its ciphertext is longer
    endpoint.url += "k"
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert [e.code for e in refused.value.error_dict["url"]] == ["max_length"]


@pytest.mark.django_db
def test_dumpdata_writes_the_encrypted_form_and_loaddata_reads_it_back():
    endpoint = make_endpoint()
    dumped = serializers.serialize("json", [endpoint])
    assert SECRET not in dumped and "access_token" not in dumped
    WebhookEndpoint.objects.all().delete()
    [restored] = serializers.deserialize("json", dumped)
    restored.save()
    assert WebhookEndpoint.objects.get(pk=json.loads(dumped)[0]["pk"]).secret == SECRET


def test_masks_show_host_and_last_four_characters_and_never_the_secret():
    assert mask_url(URL) == "https://oapi.dingtalk.com/…7f6e"
    assert mask_url("https://qyapi.weixin.qq.com/") == "https://qyapi.weixin.qq.com/…"
    assert mask_url("") == ""
    assert mask_secret("") == ""
    assert SECRET not in mask_secret(SECRET) and mask_secret(SECRET).endswith(fingerprint(SECRET))
    assert fingerprint(SECRET) != fingerprint(SECRET + "x")


@pytest.mark.django_db
def test_reencrypt_webhooks_moves_every_row_to_the_new_key_and_names_the_unreadable(settings):
    settings.SECRET_KEY = OLD_KEY
    moved = make_endpoint()
    settings.SECRET_KEY = "a-key-nobody-has-any-more-000000000000000000000000000000000000"
    lost = make_endpoint(name="丢失的群")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    lost_stored = stored_row(lost.pk)

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 cannot be decrypted .* 丢失的群"):
        call_command("reencrypt_webhooks", stdout=out)
    assert "1 webhook endpoints re-encrypted" in out.getvalue()

    settings.SECRET_KEY_FALLBACKS = []
    assert WebhookEndpoint.objects.get(pk=moved.pk).secret == SECRET
    assert stored_row(lost.pk) == lost_stored


@pytest.mark.django_db
def test_filtering_on_an_encrypted_value_is_refused_rather_than_silently_empty():
    make_endpoint()
    with pytest.raises(FieldError, match="Unsupported lookup"):
        WebhookEndpoint.objects.filter(url=URL).count()
    with pytest.raises(FieldError, match="Unsupported lookup"):
        WebhookEndpoint.objects.filter(secret__icontains="SEC").count()
    assert WebhookEndpoint.objects.filter(secret__isnull=False).count() == 1
