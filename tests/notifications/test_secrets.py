"""Webhook credentials (the address with its key or token, the DingTalk signing secret):
never on a page, never in the audit log or an error message in clear, kept when the edit
form leaves them empty, encrypted in place by the migration (and back)."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditAction, AuditLog
from aftersales.notifications.models import Notification, WebhookEndpoint
from aftersales.notifications.services import Message, deliver_due, notification_enqueue
from tests.factories import UserFactory
from tests.pages import logged_in, page_text

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
URL = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
SECRET = "SEC7a1b2c3d4e5f60718293a4b5c6d7e8f9"


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(name="钉钉华东群", kind="dingtalk", url=URL, secret=SECRET, levels="L1")


@pytest.fixture
def manager_client(db):
    return logged_in(UserFactory(role=Role.SERVICE_MANAGER))


def stored_row(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, secret FROM notifications_webhookendpoint WHERE id = %s", [pk])
        return cursor.fetchone()


def assert_no_credentials(text: str) -> None:
    for clear in (TOKEN, TOKEN[:12], "access_token", SECRET, SECRET[3:15]):
        assert clear not in text, clear


def edit(client, endpoint, **changes):
    data = {"name": endpoint.name, "kind": endpoint.kind, "url": "", "secret": "", "active": "on",
            "levels": endpoint.level_list, "mobiles": endpoint.mobiles, **changes}
    return client.post(reverse("notifications:webhookendpoint_edit", args=[endpoint.pk]), data)


def test_list_detail_and_edit_pages_show_the_address_masked_and_never_the_secret(endpoint, manager_client):
    listing = page_text(manager_client.get(reverse("notifications:webhookendpoint_list")))
    detail = page_text(manager_client.get(endpoint.get_absolute_url()))
    form = page_text(manager_client.get(reverse("notifications:webhookendpoint_edit", args=[endpoint.pk])))
    for text in (listing, detail, form):
        assert_no_credentials(text)
    assert "https://oapi.dingtalk.com/…b1a0" in listing and "https://oapi.dingtalk.com/…b1a0" in detail
    assert "Leave empty to keep the current address (https://oapi.dingtalk.com/…b1a0)" in form
    assert "A secret is stored; leave empty to keep it." in form
    assert "signing secret" in detail.lower() and ">set<" in detail


def test_an_edit_that_leaves_address_and_secret_empty_keeps_them(endpoint, manager_client):
    response = edit(manager_client, endpoint, name="钉钉华东值班群")
    assert response.status_code == 302, page_text(response)[-2000:]
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (endpoint.name, endpoint.url, endpoint.secret) == ("钉钉华东值班群", URL, SECRET)


def test_an_edit_with_a_new_address_and_secret_replaces_them(endpoint, manager_client):
    new_url = "https://oapi.dingtalk.com/robot/send?access_token=new0token"
    assert edit(manager_client, endpoint, url=new_url, secret="SECnew").status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret) == (new_url, "SECnew")


def test_the_secret_is_removed_by_the_tick_box_or_by_switching_to_a_robot_that_does_not_sign(endpoint,
                                                                                            manager_client):
    assert edit(manager_client, endpoint, clear_secret="on").status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret) == (URL, "")

    endpoint.secret = SECRET
    endpoint.save()
    wecom_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"
    assert edit(manager_client, endpoint, kind="wecom", url=wecom_url).status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.kind, endpoint.url, endpoint.secret) == ("wecom", wecom_url, "")


def test_a_new_endpoint_needs_its_address(manager_client):
    response = manager_client.post(reverse("notifications:webhookendpoint_add"),
                                   {"name": "新群", "kind": "wecom", "url": "", "active": "on"})
    assert response.status_code == 200 and "This field is required." in page_text(response)
    assert not WebhookEndpoint.objects.exists()


def test_the_audit_log_records_changes_without_the_credentials(endpoint, manager_client):
    manager_client.post(reverse("notifications:webhookendpoint_add"),
                        {"name": "新群", "kind": "dingtalk", "url": URL, "secret": SECRET, "active": "on"})
    edit(manager_client, endpoint, secret="SECanother0secret", url=URL.replace(TOKEN, "other0token"))
    records = AuditLog.objects.filter(object_type="notifications.webhookendpoint")
    assert {r.action for r in records} == {AuditAction.CREATE, AuditAction.UPDATE}
    for record in records:
        assert_no_credentials(json.dumps([record.before, record.after], ensure_ascii=False))
    update = records.get(action=AuditAction.UPDATE)
    changed = {field: (before, after) for field, before, after in update.changes}
    # A change still shows: the masked address ends differently, the secret's fingerprint differs.
    assert changed["url"] == ("https://oapi.dingtalk.com/…b1a0", "https://oapi.dingtalk.com/…oken")
    assert changed["secret"][0] != changed["secret"][1] and changed["secret"][0].startswith("••••••")


def test_a_delivery_error_names_the_host_but_not_the_token(db):
    # Nothing listens on this port: the error text the outbox shows comes from the failure.
    endpoint = WebhookEndpoint.objects.create(name="不在线", kind="generic",
                                              url=f"http://127.0.0.1:9/robot?access_token={TOKEN} x")
    notification_enqueue(messages=[Message(channel="webhook", recipient=endpoint.name, endpoint=endpoint,
                                           subject="SLA", payload={"text": "x"}, dedup_key="k1")], now=NOW)
    deliver_due(now=NOW)
    row = Notification.objects.get()
    assert row.last_error.startswith("InvalidURL: ") and "http://127.0.0.1:9/…" in row.last_error
    assert TOKEN not in row.last_error and "access_token" not in row.last_error


def test_a_robot_whose_credentials_cannot_be_decrypted_fails_with_a_clear_error(endpoint, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-different-key-" * 4, []
    notification_enqueue(messages=[Message(channel="webhook", recipient=endpoint.name,
                                           endpoint=WebhookEndpoint.objects.get(pk=endpoint.pk),
                                           subject="SLA", payload={"text": "x"}, dedup_key="k1")], now=NOW)
    deliver_due(now=NOW)
    assert "cannot be decrypted" in Notification.objects.get().last_error


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_in_place_and_back():
    table = "notifications_webhookendpoint"
    executor = MigrationExecutor(connection)
    executor.migrate([("notifications", "0001_initial")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (created_at, updated_at, name, kind, url, secret, active, levels, mobiles)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [NOW, NOW, "旧群", "dingtalk", URL, SECRET, True, "", ""])
            cursor.execute(
                f"INSERT INTO {table} (created_at, updated_at, name, kind, url, secret, active, levels, mobiles)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [NOW, NOW, "企业微信群", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "",
                 True, "", ""])
        executor = MigrationExecutor(connection)
        executor.migrate([("notifications", "0002_encrypt_webhook_credentials")])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT name, url, secret FROM {table} ORDER BY name")
            rows = cursor.fetchall()
        assert all(url.startswith("enc1:") for _name, url, _secret in rows)
        assert {secret[:5] for _name, _url, secret in rows} == {"enc1:", ""}
        assert_no_credentials(repr(rows))
        assert WebhookEndpoint.objects.get(name="旧群").secret == SECRET

        executor = MigrationExecutor(connection)
        executor.migrate([("notifications", "0001_initial")])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT url, secret FROM {table} WHERE name = %s", ["旧群"])
            assert cursor.fetchone() == (URL, SECRET)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_endpoint_whose_credentials_cannot_be_decrypted_asks_for_the_address_again(manager_client, settings):
    current_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-key-this-installation-no-longer-has-" * 2
    endpoint = WebhookEndpoint.objects.create(name="旧钥匙的群", kind="dingtalk", url=URL, secret=SECRET)
    settings.SECRET_KEY = current_key
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    detail = page_text(manager_client.get(endpoint.get_absolute_url()))
    assert detail.count("(cannot be decrypted)") == 2  # the address and the secret
    response = edit(manager_client, endpoint, name="改名")
    assert response.status_code == 200
    assert "The stored address cannot be decrypted; enter it again." in page_text(response)
    assert edit(manager_client, endpoint, url=URL, clear_secret="on").status_code == 302
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (endpoint.url, endpoint.secret) == (URL, "")


def test_the_admin_shows_the_address_masked_and_edits_neither_credential(endpoint, admin, client):
    client.force_login(admin)
    text = page_text(client.get(reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk])))
    assert "https://oapi.dingtalk.com/…b1a0" in text
    assert_no_credentials(text)
    assert_no_credentials(page_text(client.get(reverse("admin:notifications_webhookendpoint_changelist"))))
