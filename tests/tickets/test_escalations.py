"""SLA warnings at 50 / 75 / 100 %: fired once each from their due times, with e-mails to
the assignee, the group lead and the service managers and a message to each matching
webhook, recorded on the ticket's timeline; never twice, even with two workers."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

from aftersales.accounts.choices import Role
from aftersales.notifications.models import Notification, WebhookEndpoint
from aftersales.notifications.services import deliver_due
from aftersales.tickets.escalations import fire_escalations
from aftersales.tickets.models import SlaTarget, TicketEvent
from aftersales.tickets.services import ticket_assign, ticket_pause, ticket_set_status
from aftersales.tickets.tasks import fire_escalations_job
from tests.factories import CustomerFactory, ServiceGroupFactory
from tests.notifications.receiver import webhook_server  # noqa: F401
from tests.tickets.conftest import at

START = "2025-03-03T10:00:00+08:00"  # a Monday; the customer has no contract: 7x24 clocks


@pytest.fixture
def team(make_user):
    """An engineer, a group with its lead, a service manager, and people who must not be told."""
    engineer = make_user(Role.FIELD_ENGINEER, username="engineer", email="engineer@vendor.example.com",
                         phone="13800001111")
    lead = make_user(Role.DISPATCHER, username="lead", email="lead@vendor.example.com", phone="13900002222")
    manager = make_user(Role.SERVICE_MANAGER, username="manager", email="manager@vendor.example.com")
    make_user(Role.SERVICE_MANAGER, username="gone", email="gone@vendor.example.com", is_active=False)
    make_user(Role.SERVICE_MANAGER, username="nomail", email="")
    group = ServiceGroupFactory(name="华东热线", lead=lead)
    return {"engineer": engineer, "lead": lead, "manager": manager, "group": group}


@pytest.fixture
def ticket(create, team, agent):
    """An L4 fault (respond 30 min, diagnose 1 h, on site 24 h, resolve 24 h, clock time)."""
    made = create(now=START, customer=CustomerFactory(name="上海测试银行"))
    assert made.level == "L4"
    return ticket_assign(ticket=made, assignee=team["engineer"], group=team["group"], actor=agent,
                         now=at(START) + timedelta(minutes=1))


def escalated(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, kind="escalated").order_by("id"))


def test_respond_warnings_fire_at_50_75_and_100_percent_and_only_once(ticket, team):
    assert fire_escalations(now=at("2025-03-03T10:14:59+08:00")) == 0
    assert fire_escalations(now=at("2025-03-03T10:15:00+08:00")) == 1  # 50 % of 30 min
    assert fire_escalations(now=at("2025-03-03T10:15:00+08:00")) == 0  # firing twice fires nothing new
    assert fire_escalations(now=at("2025-03-03T10:20:00+08:00")) == 0
    assert fire_escalations(now=at("2025-03-03T10:22:30+08:00")) == 1  # 75 %
    assert fire_escalations(now=at("2025-03-03T10:30:00+08:00")) == 2  # 100 % of respond, 50 % of diagnose
    assert fire_escalations(now=at("2025-03-03T10:31:00+08:00")) == 0

    fired = dict(SlaTarget.objects.filter(ticket=ticket, warned_percent__gt=0).values_list("kind", "warned_percent"))
    assert fired == {"respond": 100, "diagnose": 50}
    # Nothing is left to warn about on respond; diagnose's 75 % mark is next.
    pending = dict(SlaTarget.objects.filter(ticket=ticket).values_list("kind", "warning_due_at"))
    assert pending["respond"] is None and pending["diagnose"] == at("2025-03-03T10:45:00+08:00")
    events = escalated(ticket)
    assert [(e.data["target"], e.data["threshold"]) for e in events] == [
        ("respond", 50), ("respond", 75), ("respond", 100), ("diagnose", 50)]
    first = events[0]
    assert first.at == at("2025-03-03T10:15:00+08:00") and first.actor is None
    assert at(first.data["due_at"]) == at("2025-03-03T10:30:00+08:00")
    assert at(first.data["warning_due_at"]) == at("2025-03-03T10:15:00+08:00")
    assert first.data["recipients"] == [
        "engineer@vendor.example.com", "lead@vendor.example.com", "manager@vendor.example.com"]
    # Three e-mails per warning: assignee, group lead, the active service manager with an address.
    assert Notification.objects.filter(ticket=ticket, channel="email").count() == 4 * 3


def test_the_warning_mail_says_what_is_due_when_and_links_the_ticket(ticket, smtp_server, settings):
    settings.SITE_URL = "https://service.example.com"
    with translation.override("en"):
        fire_escalations(now=at("2025-03-03T10:15:00+08:00"))
        # A late worker: respond 75 % and 100 %, diagnose 50 %.
        assert fire_escalations(now=at("2025-03-03T10:40:00+08:00")) == 3
    assert deliver_due(now=at("2025-03-03T10:40:00+08:00")).sent == 4 * 3
    to_engineer = [m for m in smtp_server.messages
                   if m.recipients == ["engineer@vendor.example.com"] and "Respond" in m.subject]
    assert len(to_engineer) == 3
    first = to_engineer[0]
    assert ticket.number in first.subject and "Respond" in first.subject and "15 min left" in first.subject
    for text in (ticket.number, "上海测试银行", "L4", "Respond", "50 % of the time used",
                 "2025-03-03 10:30 (Asia/Shanghai)", "15 min left", "https://service.example.com/"):
        assert text in first.body, text
    assert f"/{ticket.pk}/" in first.body
    late = [m for m in to_engineer if "Due (100 %)" in m.body]
    assert len(late) == 1 and "overdue by 10 min" in late[0].body


def test_matching_webhooks_get_the_warning_in_their_own_format(ticket, team, webhook_server):  # noqa: F811
    WebhookEndpoint.objects.create(name="企业微信值班群", kind="wecom", url=webhook_server.url("/wecom"))
    WebhookEndpoint.objects.create(name="钉钉华东群", kind="dingtalk", url=webhook_server.url("/ding"),
                                   group=team["group"], mobiles="13700003333")
    WebhookEndpoint.objects.create(name="L1 only", kind="generic", url=webhook_server.url("/l1"), levels="L1,L2")
    WebhookEndpoint.objects.create(name="Other group", kind="generic", url=webhook_server.url("/other"),
                                   group=ServiceGroupFactory())
    WebhookEndpoint.objects.create(name="Switched off", kind="generic", url=webhook_server.url("/off"), active=False)

    fire_escalations(now=at("2025-03-03T10:15:00+08:00"))
    assert escalated(ticket)[0].data["recipients"][-2:] == ["企业微信值班群", "钉钉华东群"]
    assert deliver_due(now=at("2025-03-03T10:15:00+08:00")).sent == 5
    by_path = {r.path: r.json for r in webhook_server.received}
    assert set(by_path) == {"/wecom", "/ding"}
    assert by_path["/wecom"]["msgtype"] == "markdown"
    assert ticket.number in by_path["/wecom"]["markdown"]["content"]
    ding = by_path["/ding"]
    assert ding["msgtype"] == "markdown" and ticket.number in ding["markdown"]["title"]
    # The assignee's and the lead's mobiles and the endpoint's own are mentioned.
    assert ding["at"] == {"atMobiles": ["13800001111", "13900002222", "13700003333"], "isAtAll": False}
    assert "@13800001111" in ding["markdown"]["text"]


def test_a_paused_or_closed_ticket_warns_nobody(create, team, agent):
    paused = create(now=START, customer=CustomerFactory())
    closed = create(now=START, customer=CustomerFactory())
    ticket_pause(ticket=paused, reason="等待客户提供日志", actor=agent, now=at("2025-03-03T10:05:00+08:00"))
    ticket_set_status(ticket=closed, status="closed", actor=agent, now=at("2025-03-03T10:05:00+08:00"))
    assert fire_escalations(now=at("2025-03-04T12:00:00+08:00")) == 0
    assert not TicketEvent.objects.filter(kind="escalated").exists()
    assert not Notification.objects.exists()


def test_a_worker_that_dies_mid_way_leaves_the_warning_to_the_next_run(ticket, monkeypatch):
    from aftersales.tickets import escalations

    def die(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(escalations, "notification_enqueue", die)
    with pytest.raises(SystemExit):
        fire_escalations(now=at("2025-03-03T10:15:00+08:00"))
    assert not SlaTarget.objects.filter(warned_percent__gt=0).exists()
    assert not escalated(ticket)
    monkeypatch.undo()
    assert fire_escalations(now=at("2025-03-03T10:16:00+08:00")) == 1
    assert len(escalated(ticket)) == 1
    assert Notification.objects.count() == 3


def test_the_job_reports_how_many_fired(ticket):
    assert fire_escalations_job(at("2025-03-03T10:15:00+08:00")) == "1 SLA warnings fired"


def test_firing_takes_a_bounded_number_of_queries_per_warning(create, team, agent, django_assert_max_num_queries):
    for _ in range(5):
        made = create(now=START, customer=CustomerFactory())
        ticket_assign(ticket=made, assignee=team["engineer"], group=team["group"], actor=agent, now=at(START))
    # 5 tickets x respond 50 %: per warning load and claim, move the marker, insert messages,
    # insert event (+ savepoint/transaction control); plus candidates, managers and
    # endpoints once.
    with django_assert_max_num_queries(3 + 5 * 6):
        assert fire_escalations(now=at("2025-03-03T10:15:00+08:00")) == 5


# --- PostgreSQL: two workers at the same time ---------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_fire_each_warning_exactly_once(create, team, agent):
    from tests.core.test_worker import in_own_connection

    tickets = []
    for _ in range(10):
        made = create(now=START, customer=CustomerFactory())
        tickets.append(ticket_assign(ticket=made, assignee=team["engineer"], group=team["group"], actor=agent,
                                     now=at(START)))
    now = at("2025-03-03T11:00:00+08:00")  # respond 50/75/100 % and diagnose 50/75/100 % of each
    due = 10 * 6
    assert SlaTarget.objects.filter(warning_due_at__lte=now).count() == 10 * 2

    start = threading.Barrier(2)

    def worker():
        start.wait()
        return fire_escalations(now=now)

    workers = [in_own_connection(worker) for _ in range(2)]
    counts = []
    for thread, outcome in workers:
        thread.join(timeout=120)
        if "error" in outcome:
            raise outcome["error"]
        counts.append(outcome["value"])

    assert sum(counts) == due
    assert not SlaTarget.objects.filter(warning_due_at__lte=now).exists()
    assert set(SlaTarget.objects.filter(kind__in=["respond", "diagnose"]).values_list("warned_percent", flat=True)) == {100}
    events = TicketEvent.objects.filter(kind="escalated")
    assert events.count() == due
    assert len({(e.ticket_id, e.data["target"], e.data["threshold"]) for e in events}) == due
    assert Notification.objects.count() == due * 3


# --- L1/L2: the vice-president's notice goes through the outbox ---------------------------

def test_an_l1_notice_to_the_vice_president_commits_with_the_ticket_and_goes_out_at_once(
        create, make_user, smtp_server, django_capture_on_commit_callbacks):
    make_user(Role.VICE_PRESIDENT, email="vp@vendor.example.com")
    make_user(Role.VICE_PRESIDENT, email="vp2@vendor.example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create(customer=CustomerFactory(), outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert ticket.level == "L1"
    row = Notification.objects.get()
    assert (row.recipient, row.ticket_id, row.status) == ("vp@vendor.example.com", ticket.pk, "sent")
    assert row.dedup_key == f"vp:{ticket.pk}:L1:vp@vendor.example.com"
    assert [m.recipients for m in smtp_server.messages] == [["vp@vendor.example.com"]]
    assert ticket.number in smtp_server.messages[0].subject


def test_a_create_that_fails_leaves_no_notice(create, make_user, monkeypatch):
    from aftersales.tickets import services

    make_user(Role.VICE_PRESIDENT, email="vp@vendor.example.com")
    notify_then_fail_to_commit = services._notify_if_urgent

    def failing(ticket, previous_level):
        notify_then_fail_to_commit(ticket, previous_level)
        assert Notification.objects.filter(ticket=ticket).exists()  # written in the transaction
        raise RuntimeError("the create fails after deciding the notice")

    monkeypatch.setattr(services, "_notify_if_urgent", failing)
    with pytest.raises(RuntimeError):
        create(customer=CustomerFactory(), outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert not Notification.objects.exists()


def test_a_resolved_ticket_that_is_reopened_fires_no_stale_warnings(ticket, team, agent):
    """Resolved at 10:10 (responded, never diagnosed nor visited: fixed on the phone), reopened
    two days later: the on-site and diagnose warnings that were pending must not all go off."""
    ticket_set_status(ticket=ticket, status="resolved", actor=agent, now=at("2025-03-03T10:10:00+08:00"))
    assert not SlaTarget.objects.filter(ticket=ticket, warning_due_at__isnull=False).exists()

    ticket_set_status(ticket=ticket, status="in_progress", actor=agent, now=at("2025-03-05T09:00:00+08:00"))

    assert fire_escalations(now=at("2025-03-05T09:01:00+08:00")) == 0
    assert escalated(ticket) == []
    assert not Notification.objects.exists()
