"""Pages: the webhook endpoints (generic pages) and the outbox (list, filter, retry)."""

import itertools
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditAction, AuditLog
from aftersales.notifications.models import Notification, WebhookEndpoint
from tests.factories import CustomerUserFactory, UserFactory
from tests.pages import PageCrudCase, logged_in, page_text

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
_numbers = itertools.count(1)


class TestWebhookEndpointPages(PageCrudCase):
    model = WebhookEndpoint
    url_prefix = "notifications:webhookendpoint"
    writer_role = Role.SERVICE_MANAGER
    reader_role = Role.SERVICE_MANAGER  # no role only reads them; see the two tests below
    scoped_to_customer = False
    edit_data = {"name": "华东值班群 (new)"}
    bad_data = [
        ({"url": "ftp://robot.example.com/send"}, "Enter a valid URL."),
        ({"kind": "wecom", "secret": "SEC123"}, "Only DingTalk robots sign their messages"),
    ]

    def make(self, customer):
        return WebhookEndpoint.objects.create(name=f"值班群 {next(_numbers)}", kind="dingtalk", secret="SECabc",
                                              url="https://oapi.dingtalk.com/robot/send?access_token=t", levels="L1,L2")

    def create_data(self, customer):
        return {"name": f"企业微信群 {next(_numbers)}", "kind": "wecom", "active": "on",
                "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "levels": ["L1", "L2"]}

    def row_text(self, obj):
        return obj.name

    @pytest.mark.django_db
    def test_reader_role_may_not_add_edit_or_delete(self):
        """Only administrators and service managers see endpoints at all."""
        obj = self.make(None)
        for role in (Role.DISPATCHER, Role.SERVICE_DESK, Role.VICE_PRESIDENT):
            client = logged_in(UserFactory(role=role))
            for action in ("list", "add"):
                assert client.get(self.url(action)).status_code == 403, (role, action)
            for action in ("detail", "edit", "delete"):
                assert client.get(self.url(action, obj)).status_code == 403, (role, action)
            assert client.post(self.url("delete", obj)).status_code == 403
        assert WebhookEndpoint.objects.filter(pk=obj.pk).exists()

    @pytest.mark.django_db
    def test_list_hides_other_customers_rows_from_a_customer_user(self):
        self.make(None)
        assert logged_in(CustomerUserFactory()).get(self.url("list")).status_code == 403

    @pytest.mark.django_db
    def test_levels_are_ticked_boxes_stored_in_level_order(self):
        client = logged_in(UserFactory(role=Role.ADMINISTRATOR))
        data = {**self.create_data(None), "levels": ["L2", "L1"]}
        assert client.post(self.url("add"), data).status_code == 302
        endpoint = WebhookEndpoint.objects.get(name=data["name"])
        assert endpoint.levels == "L1,L2"
        text = page_text(client.get(self.url("edit", endpoint)))
        assert re.search(r'value="L1"[^>]*checked', text) and re.search(r'value="L2"[^>]*checked', text)
        assert not re.search(r'value="L3"[^>]*checked', text)

    @pytest.mark.django_db
    def test_detail_does_not_show_the_url_key_or_the_secret(self):
        obj = self.make(None)
        text = page_text(logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(self.url("detail", obj)))
        assert "access_token" not in text and "SECabc" not in text


def make_notification(status="pending", **kwargs) -> Notification:
    n = next(_numbers)
    defaults = {"channel": "email", "recipient": f"person{n}@example.com", "subject": f"SR-2025-{n:06d} respond 15 min left",
                "body": "Customer: 上海测试银行", "dedup_key": f"test:{n}", "status": status,
                "next_attempt_at": NOW, "created_at": NOW}
    return Notification.objects.create(**{**defaults, **kwargs})


@pytest.mark.django_db
def test_outbox_lists_messages_and_filters_by_status():
    sent = make_notification("sent", sent_at=NOW, attempts=1)
    failed = make_notification("failed", attempts=8, last_error="ConnectionRefusedError: [Errno 111]")
    client = logged_in(UserFactory(role=Role.SERVICE_MANAGER))
    response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 200
    text = page_text(response)
    assert sent.recipient in text and failed.recipient in text
    text = page_text(client.get(reverse("notifications:outbox"), {"status": "failed"}))
    assert failed.recipient in text and sent.recipient not in text
    assert "table-responsive" in text


@pytest.mark.django_db
def test_outbox_query_count_does_not_grow_with_rows():
    client = logged_in(UserFactory(role=Role.ADMINISTRATOR))
    make_notification()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications:outbox")).status_code == 200
    for _ in range(20):
        make_notification()
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notifications:outbox")).status_code == 200
    assert len(many) == len(few) <= 12


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SERVICE_DESK, Role.FIELD_ENGINEER, Role.CUSTOMER])
def test_outbox_is_for_administrators_and_service_managers(role, make_user):
    row = make_notification("failed")
    client = logged_in(make_user(role))
    assert client.get(reverse("notifications:outbox")).status_code == 403
    assert client.get(row.get_absolute_url()).status_code in (403, 404)
    assert client.post(reverse("notifications:notification_retry", args=[row.pk])).status_code in (403, 404)
    row.refresh_from_db()
    assert row.status == "failed"


@pytest.mark.django_db
def test_a_failed_message_is_sent_again_from_its_page():
    failed = make_notification("failed", attempts=8, last_error="HTTP 500 Internal Server Error")
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    client = logged_in(manager)
    text = page_text(client.get(failed.get_absolute_url()))
    assert "HTTP 500 Internal Server Error" in text and "上海测试银行" in text and "Send again" in text

    response = client.post(reverse("notifications:notification_retry", args=[failed.pk]), follow=True)
    assert "will be sent again" in page_text(response)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    record = AuditLog.objects.get(action=AuditAction.UPDATE, object_type="notifications.notification",
                                  object_id=str(failed.pk))
    assert ("status", "failed", "pending") in record.changes
    assert record.actor_name == manager.username

    # Only a failed message can be retried: a second click changes nothing.
    response = client.post(reverse("notifications:notification_retry", args=[failed.pk]), follow=True)
    assert "Only a failed notification can be retried." in page_text(response)
    assert "Send again" not in page_text(client.get(failed.get_absolute_url()))


@pytest.mark.django_db
def test_retry_needs_a_post():
    failed = make_notification("failed")
    client = logged_in(UserFactory(role=Role.SERVICE_MANAGER))
    assert client.get(reverse("notifications:notification_retry", args=[failed.pk])).status_code == 405


@pytest.mark.django_db
def test_outbox_links_to_the_webhook_endpoints_for_those_who_manage_them():
    text = page_text(logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("notifications:outbox")))
    assert reverse("notifications:webhookendpoint_list") in text
