"""The outbox: messages written in the caller's transaction, de-duplicated, delivered by
e-mail (a real SMTP server) and webhook (a real HTTP server), retried with back-off, and
failed for good after the last attempt, errors recorded."""

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from aftersales.domain import notify
from aftersales.notifications.models import Notification, WebhookEndpoint
from aftersales.notifications.services import (
    Message,
    deliver_due,
    notification_enqueue,
    notification_retry,
)
from tests.factories import UserFactory
from tests.mail import free_port

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def email(to: str, key: str, subject: str = "SR-2025-000001 on site 1 h 00 min left") -> Message:
    return Message(channel="email", recipient=to, subject=subject, body="Customer: 测试客户\n", dedup_key=key)


def hook(endpoint, key: str, payload: dict | None = None) -> Message:
    return Message(channel="webhook", recipient=endpoint.name, endpoint=endpoint, subject="SLA",
                   payload=payload or notify.wecom_markdown("**SR-2025-000001** 即将超时"), dedup_key=key)


def test_enqueue_writes_pending_rows_and_ignores_a_repeated_dedup_key():
    with transaction.atomic():
        notification_enqueue(messages=[email("a@example.com", "k1"), email("b@example.com", "k2")], now=NOW)
    with transaction.atomic():
        notification_enqueue(messages=[email("a@example.com", "k1", subject="changed")], now=NOW)
    rows = Notification.objects.order_by("dedup_key")
    assert [(r.dedup_key, r.status, r.attempts, r.next_attempt_at) for r in rows] == [
        ("k1", "pending", 0, NOW), ("k2", "pending", 0, NOW)]
    assert rows[0].subject != "changed"


def test_a_rolled_back_decision_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_enqueue(messages=[email("a@example.com", "k1")], now=NOW)
        raise RuntimeError("the caller's write failed")
    assert not Notification.objects.exists()


def test_email_is_delivered_through_smtp_and_marked_sent(smtp_server):
    notification_enqueue(messages=[email("lead@example.com", "k1")], now=NOW)
    report = deliver_due(now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail.recipients == ["lead@example.com"]
    assert mail.subject == "SR-2025-000001 on site 1 h 00 min left"
    assert "测试客户" in mail.body
    row = Notification.objects.get()
    assert (row.status, row.sent_at, row.attempts, row.last_error) == ("sent", NOW, 1, "")
    assert str(deliver_due(now=NOW + timedelta(minutes=5))) == "0 sent, 0 to retry, 0 failed"
    assert len(smtp_server.messages) == 1


def test_messages_not_yet_due_wait(smtp_server):
    notification_enqueue(messages=[email("lead@example.com", "k1")], now=NOW + timedelta(minutes=1))
    assert deliver_due(now=NOW).sent == 0
    assert deliver_due(now=NOW + timedelta(minutes=1)).sent == 1


def test_wecom_webhook_gets_the_markdown_message(webhook_server):
    endpoint = WebhookEndpoint.objects.create(name="值班群", kind="wecom", url=webhook_server.url("/cgi-bin/webhook/send?key=k"))
    notification_enqueue(messages=[hook(endpoint, "h1")], now=NOW)
    assert deliver_due(now=NOW).sent == 1
    [received] = webhook_server.received
    assert received.path == "/cgi-bin/webhook/send" and received.query == {"key": ["k"]}
    assert received.json == {"msgtype": "markdown", "markdown": {"content": "**SR-2025-000001** 即将超时"}}
    assert received.headers["Content-Type"].startswith("application/json")


def test_dingtalk_webhook_is_signed_at_send_time(webhook_server):
    secret = "SEC0123456789abcdef"
    endpoint = WebhookEndpoint.objects.create(name="钉钉群", kind="dingtalk", secret=secret,
                                              url=webhook_server.url("/robot/send?access_token=tok"))
    payload = notify.dingtalk_markdown("SLA", "### SLA", ["13800001111"])
    notification_enqueue(messages=[hook(endpoint, "h1", payload)], now=NOW)
    sent_at = NOW + timedelta(minutes=3)
    assert deliver_due(now=sent_at).sent == 1
    [received] = webhook_server.received
    assert received.json == payload
    timestamp = received.query["timestamp"][0]
    assert timestamp == str(int(sent_at.timestamp() * 1000))
    assert received.query["access_token"] == ["tok"]
    # The receiver checks the sign as DingTalk does.
    assert received.query["sign"] == [unquote_plus(notify.dingtalk_sign(secret, int(timestamp)))]


def test_a_failed_delivery_is_recorded_and_retried_later_with_back_off(webhook_server, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    webhook_server.answers = [(500, b"upstream down"), (200, b'{"errcode":45009,"errmsg":"api freq out of limit"}'),
                              (200, b'{"errcode":0,"errmsg":"ok"}')]
    endpoint = WebhookEndpoint.objects.create(name="值班群", kind="wecom", url=webhook_server.url())
    notification_enqueue(messages=[hook(endpoint, "h1")], now=NOW)

    assert deliver_due(now=NOW).retrying == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "HTTP 500" in row.last_error and "upstream down" in row.last_error

    assert deliver_due(now=NOW + timedelta(seconds=30)).retrying == 0  # not due yet: nothing sent
    assert len(webhook_server.received) == 1

    assert deliver_due(now=NOW + timedelta(minutes=1)).retrying == 1
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, NOW + timedelta(minutes=3))
    assert "errcode 45009" in row.last_error  # the robot's own refusal counts as a failure

    assert deliver_due(now=NOW + timedelta(minutes=3)).sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.sent_at) == ("sent", 3, "", NOW + timedelta(minutes=3))
    assert len(webhook_server.received) == 3


def test_after_the_last_attempt_the_row_fails_and_an_operator_retries_it(settings, smtp_server):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    real_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nobody listens: the SMTP connection is refused
    notification_enqueue(messages=[email("lead@example.com", "k1")], now=NOW)
    assert deliver_due(now=NOW).retrying == 1
    assert deliver_due(now=NOW + timedelta(hours=1)).failed == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", 2)
    assert "ConnectionRefusedError" in row.last_error
    assert deliver_due(now=NOW + timedelta(days=1)).failed == 0  # given up: not tried again by itself

    manager = UserFactory(role="service_manager")
    notification_retry(notification=row, actor=manager, now=NOW + timedelta(days=1))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, NOW + timedelta(days=1))
    settings.EMAIL_PORT = real_port
    assert deliver_due(now=NOW + timedelta(days=1)).sent == 1
    assert [m.recipients for m in smtp_server.messages] == [["lead@example.com"]]


def test_a_webhook_to_a_deleted_endpoint_fails_with_a_reason(webhook_server, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    endpoint = WebhookEndpoint.objects.create(name="旧群", kind="generic", url=webhook_server.url())
    notification_enqueue(messages=[hook(endpoint, "h1")], now=NOW)
    endpoint.delete()
    with translation.override("en"):
        assert deliver_due(now=NOW).failed == 1
    assert "deleted" in Notification.objects.get().last_error


def test_an_unreachable_webhook_is_recorded_not_lost(settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 2
    endpoint = WebhookEndpoint.objects.create(name="不在线", kind="generic", url=f"http://127.0.0.1:{free_port()}/x")
    notification_enqueue(messages=[hook(endpoint, "h1")], now=NOW)
    assert deliver_due(now=NOW).retrying == 1
    row = Notification.objects.get()
    assert row.status == "pending" and "URLError" in row.last_error


def test_a_claimed_row_is_not_sent_again_by_a_second_worker_before_its_lease_ends(smtp_server):
    from aftersales.notifications.services import CLAIM_LEASE, _claim

    notification_enqueue(messages=[email("lead@example.com", "k1")], now=NOW)
    [claimed] = _claim(NOW, 10)  # a worker took it and died before sending
    assert claimed.attempts == 1
    assert deliver_due(now=NOW + timedelta(minutes=1)).sent == 0
    assert deliver_due(now=NOW + CLAIM_LEASE).sent == 1  # the lease ran out: not lost
    assert Notification.objects.get().attempts == 2


def test_deliver_notifications_command_prints_what_it_did(smtp_server):
    notification_enqueue(messages=[email("lead@example.com", "k1")], now=NOW)
    out = io.StringIO()
    call_command("deliver_notifications", stdout=out)
    assert out.getvalue().strip() == "1 sent, 0 to retry, 0 failed"
    assert len(smtp_server.messages) == 1


def test_deliver_notifications_command_refuses_a_bad_limit():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="limit"):
        call_command("deliver_notifications", "--limit", "0")
