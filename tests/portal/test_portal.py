"""The customer portal: a customer user follows its organisation's service requests, reports
a problem, comments; never sees another customer's data; staff do not use it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import (
    ticket_assign,
    ticket_comment,
    ticket_mark,
    ticket_pause,
    ticket_regrade,
    ticket_set_status,
)
from tests.factories import ContactFactory, CustomerUserFactory, SiteFactory, TicketFactory
from tests.pages import logged_in, page_text
from tests.tickets.conftest import at

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    """The request numbers listed, in order."""
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def test_list_shows_only_own_requests_open_first_with_a_plain_state(create, customer_user, own_units, theirs):
    resolved = create(customer=customer_user.customer, equipment=own_units[0], subject="已修复的故障",
                      now="2025-01-20T10:00:00+08:00")
    ticket_set_status(ticket=resolved, status="resolved", actor=None, now=resolved.clock_started_at + timedelta(hours=1))
    urgent = create(customer=customer_user.customer, equipment=own_units[1], subject="核心交换机宕机",
                    outage_started_at=timezone.now() - timedelta(hours=5), now=timezone.now().isoformat())
    create(customer=theirs.customer, equipment=theirs, subject="别人的工单")
    no_promises = TicketFactory(customer=customer_user.customer, subject="咨询")  # open, nothing due
    response = logged_in(customer_user).get(reverse("portal:ticket_list"))
    assert response.status_code == 200
    assert rows(response) == [urgent.number, no_promises.number, resolved.number]
    text = page_text(response)
    assert "别人的工单" not in text and theirs.serial not in text
    assert "核心交换机宕机" in text and "SN-OWN-002" in text and "莘庄机房" in text
    assert "Received; we will contact you by" in text  # the nearest promise of the open L1
    assert "Resolved" in text


def test_list_query_count_does_not_grow_with_rows(create, customer_user, own_units, django_assert_max_num_queries):
    client = logged_in(customer_user)
    for n in range(3):
        create(customer=customer_user.customer, equipment=own_units[n % 2], subject=f"故障 {n}")
    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(reverse("portal:ticket_list")))) == 3
    for n in range(12):
        create(customer=customer_user.customer, equipment=own_units[n % 2], subject=f"更多故障 {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(reverse("portal:ticket_list")))) == 15
    # session, user, two permission reads, count, the page of rows, the user's customer (menu)
    assert len(few.captured_queries) <= 7


def test_list_search_status_filter_and_pages(create, customer_user, own_units):
    for n in range(22):
        create(customer=customer_user.customer, equipment=own_units[n % 2], subject=f"告警 {n}")
    special = create(customer=customer_user.customer, equipment=own_units[0], subject="电源模块异响")
    ticket_set_status(ticket=special, status="resolved", actor=None, now=special.clock_started_at + timedelta(hours=2))
    client = logged_in(customer_user)
    first = client.get(reverse("portal:ticket_list"))
    assert len(rows(first)) == 20 and "23 requests" in page_text(first) and "Page 1 of 2" in page_text(first)
    assert len(rows(client.get(reverse("portal:ticket_list"), {"page": 2}))) == 3
    assert rows(client.get(reverse("portal:ticket_list"), {"q": "异响"})) == [special.number]
    assert rows(client.get(reverse("portal:ticket_list"), {"q": special.number})) == [special.number]
    assert len(rows(client.get(reverse("portal:ticket_list"), {"q": "SN-OWN-002"}))) == 11
    assert rows(client.get(reverse("portal:ticket_list"), {"status": "resolved"})) == [special.number]
    bad = client.get(reverse("portal:ticket_list"), {"status": "nonsense"})
    assert bad.status_code == 200 and len(rows(bad)) == 20  # an unknown status filters nothing


@pytest.mark.parametrize("role", [Role.SERVICE_DESK, Role.SERVICE_MANAGER, Role.ADMINISTRATOR])
def test_staff_do_not_use_the_portal(make_user, role):
    user = make_user(role)
    assert not user.has_perm("portal.customer_portal")
    client = logged_in(user)
    for url in [reverse("portal:ticket_list"), reverse("portal:ticket_add")]:
        assert client.get(url).status_code == 403
    assert reverse("portal:ticket_list") not in page_text(client.get(reverse("home")))


def test_a_customer_user_lands_on_the_portal(create, customer_user, own_units):
    ticket = create(customer=customer_user.customer, equipment=own_units[0], subject="打印机卡纸",
                    now=timezone.now().isoformat())
    response = logged_in(customer_user).get(reverse("home"))
    text = page_text(response)
    assert reverse("portal:ticket_list") in text  # the menu item
    assert reverse("portal:ticket_add") in text and "Report a problem" in text
    assert ticket.number in text and "打印机卡纸" in text
    assert "Equipment by region" not in text  # no staff dashboard


def test_another_customers_request_is_not_found(create, customer_user, theirs):
    ticket = create(customer=theirs.customer, equipment=theirs)
    client = logged_in(customer_user)
    assert client.get(reverse("portal:ticket_detail", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("portal:ticket_comment", args=[ticket.pk]), {"text": "hello"}).status_code == 404
    assert not TicketEvent.objects.filter(ticket=ticket, kind="commented").exists()
    assert client.get(reverse("portal:ticket_detail", args=[999999])).status_code == 404


def test_detail_shows_promises_and_only_what_a_customer_should_see(create, customer_user, own_units, agent):
    ticket = create(customer=customer_user.customer, equipment=own_units[0], subject="防火墙宕机",
                    outage_started_at=timezone.now() - timedelta(minutes=30), now=timezone.now().isoformat())
    ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    ticket_regrade(ticket=ticket, level="L2", reason="客户第三次催促，内部判断升级", actor=agent)
    ticket_comment(ticket=ticket, text="已远程登录排查", actor=agent)
    ticket_mark(ticket=ticket, kind="respond", actor=agent)
    TicketEvent.objects.create(ticket=ticket, kind="escalated", at=timezone.now(), data={"threshold": 50})
    TicketEvent.objects.create(ticket=ticket, kind="commented", at=timezone.now(),
                               data={"text": "内部备注：备件缺货", "internal": True})
    TicketEvent.objects.create(ticket=ticket, kind="email", at=timezone.now(),
                               data={"text": "日志见附件", "from": "zhang@metro.example.com", "subject": "Re: 防火墙宕机"})
    ticket_pause(ticket=ticket, reason="请提供设备日志", actor=agent)
    response = logged_in(customer_user).get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Waiting for your reply" in text
    promise_rows = re.findall(r'data-testid="promise">\s*<td>([^<]+)</td>', response.content.decode())
    assert promise_rows[:1] == ["Respond"] and "On site" in promise_rows and "Resolve" in promise_rows
    assert "on time" in text  # the respond promise was kept
    for shown in ["Request received", "An engineer took charge of your request", "Level changed from L4 to L2",
                  "Our service team wrote", "已远程登录排查", "Promise kept: Respond", "Your e-mail", "日志见附件", "Waiting for you", "请提供设备日志"]:
        assert shown in text, shown
    for hidden in ["客户第三次催促", "内部备注", "Escalated", agent.username]:
        assert hidden not in text, hidden


def test_a_comment_appears_on_the_timeline_marked_as_from_the_customer(create, customer_user, own_units):
    ticket = create(customer=customer_user.customer, equipment=own_units[0])
    client = logged_in(customer_user)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.pk]), {"text": "设备指示灯一直红色闪烁"})
    assert response.status_code == 302
    event = TicketEvent.objects.get(ticket=ticket, kind="commented")
    assert event.actor == customer_user and event.data == {"text": "设备指示灯一直红色闪烁", "from_customer": True}
    text = page_text(client.get(response["Location"]))
    assert "You wrote" in text and "设备指示灯一直红色闪烁" in text

    empty = client.post(reverse("portal:ticket_comment", args=[ticket.pk]), {"text": "   "})
    assert empty.status_code == 200 and "This field is required." in page_text(empty)
    assert TicketEvent.objects.filter(ticket=ticket, kind="commented").count() == 1


def report_data(unit, **changes) -> dict:
    data = {"equipment": unit.pk, "site": unit.site_id, "category": "fault", "impact": "core",
            "outage_started_at": (timezone.localtime() - timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"),
            "subject": "防火墙无法转发流量", "description": "上午十点起所有业务中断"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_report_a_problem_creates_a_portal_request(china_calendar, customer_user, own_units):
    contact = ContactFactory(customer=customer_user.customer, email="ZHANG@metro.example.com")
    response = logged_in(customer_user).post(reverse("portal:ticket_add"), report_data(own_units[0]))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:ticket_detail", args=[ticket.pk])
    assert (ticket.channel, ticket.customer, ticket.equipment, ticket.site) == (
        "portal", customer_user.customer, own_units[0], own_units[0].site)
    assert ticket.level == "L3"  # 90 minutes with the core function affected
    assert ticket.contact == contact and ticket.caller_name == "Wei Zhang" and ticket.created_by == customer_user
    assert ticket.sla_targets.count() >= 3


def test_a_unit_alone_is_enough_and_fills_the_site(china_calendar, customer_user, own_units):
    response = logged_in(customer_user).post(reverse("portal:ticket_add"), report_data(own_units[1], site=""))
    assert response.status_code == 302
    assert Ticket.objects.get().site == own_units[1].site


BAD_INPUT = [
    ("unit of another customer", lambda own, theirs: {"equipment": theirs.pk, "site": ""}, "equipment",
     "Select a valid choice"),
    ("site of another customer", lambda own, theirs: {"equipment": "", "site": theirs.site_id}, "site",
     "Select a valid choice"),
    ("unit at another site", lambda own, theirs: {"site": own[1].site_id}, "equipment", "This unit is at another site."),
    ("neither unit nor site", lambda own, theirs: {"equipment": "", "site": ""}, "site", "Choose the unit or at least the site."),
    ("no subject", lambda own, theirs: {"subject": " "}, "subject", "This field is required."),
    ("unknown category", lambda own, theirs: {"category": "magic"}, "category", "Select a valid choice"),
    ("outage in the future", lambda own, theirs: {
        "outage_started_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
     "outage_started_at", "The outage cannot start in the future."),
    ("impossible date", lambda own, theirs: {"outage_started_at": "2025-02-30T10:00"}, "outage_started_at",
     "Enter a valid date/time."),
]


@pytest.mark.parametrize(("case", "changes", "field", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_report_shows_the_field_error_and_writes_nothing(china_calendar, customer_user, own_units, theirs,
                                                             case, changes, field, message):
    response = logged_in(customer_user).post(reverse("portal:ticket_add"),
                                             report_data(own_units[0], **changes(own_units, theirs)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0
    text = page_text(response)
    assert theirs.serial not in text and theirs.site.name not in text  # never offered, never named


def test_the_report_form_offers_only_own_sites_and_units(customer_user, own_units, theirs):
    SiteFactory(name="别人的机房")
    response = logged_in(customer_user).get(reverse("portal:ticket_add"), {"equipment": own_units[1].pk})
    form = response.context["form"]
    assert set(form.fields["equipment"].queryset) == set(own_units)
    assert set(form.fields["site"].queryset) == {u.site for u in own_units}
    assert form.initial == {"equipment": own_units[1].pk, "site": own_units[1].site_id}
    other = logged_in(customer_user).get(reverse("portal:ticket_add"), {"equipment": theirs.pk})
    assert other.context["form"].initial == {}


def test_a_second_customer_user_of_the_same_customer_sees_the_same_requests(create, customer_user, own_units):
    ticket = create(customer=customer_user.customer, equipment=own_units[0])
    colleague = CustomerUserFactory(customer=customer_user.customer)
    assert logged_in(colleague).get(reverse("portal:ticket_detail", args=[ticket.pk])).status_code == 200


def test_promised_times_are_shown_in_beijing_time_with_when_they_were_kept(create, customer_user, own_units, agent):
    ticket = create(customer=customer_user.customer, equipment=own_units[0], now="2025-01-27T18:00:00+08:00",
                    outage_started_at=at("2025-01-27T13:00:00+08:00"))  # L1 across the Spring Festival
    ticket_mark(ticket=ticket, kind="respond", actor=agent, at=at("2025-01-27T10:20:00+00:00"))  # 18:20 in Beijing
    html = logged_in(customer_user).get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    promise_rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in
                    re.findall(r'data-testid="promise">(.*?)</tr>', html, flags=re.S)]
    assert promise_rows[0] == ["Respond", "2025-01-27", "18:15", "2025-01-27", "18:20", "late"]
    assert ["On", "site", "2025-02-05", "12:00", "overdue"] in promise_rows
    assert ["Resolve", "2025-02-05", "16:00", "overdue"] in promise_rows
