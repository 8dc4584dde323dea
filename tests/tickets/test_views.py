"""The agent console as staff use it: the queue with countdowns, the fast new-ticket form,
the ticket page with its clocks, actions and replay, "breaking soon", and the service group
and routing rule pages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.tickets.models import (
    GradeChange,
    RoutingRule,
    ServiceGroup,
    SlaPause,
    Ticket,
    TicketEvent,
)
from aftersales.tickets.services import ticket_create, ticket_regrade
from tests.factories import (
    CustomerFactory,
    CustomerUserFactory,
    EquipmentFactory,
    ServiceGroupFactory,
    SiteFactory,
    UserFactory,
)
from tests.pages import PageCrudCase, logged_in, no_role_user, page_text

QUEUE = reverse("tickets:queue")
ADD = reverse("tickets:ticket_add")
BREAKING = reverse("tickets:breaking")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def rows(response) -> list[str]:
    """The ticket numbers of the queue (or breaking) table, top to bottom."""
    import re

    return re.findall(r'data-ticket="([^"]+)"', response.content.decode())


@pytest.fixture
def desk(agent):
    return logged_in(agent)


def action_url(ticket, action: str) -> str:
    return reverse("tickets:ticket_action", args=[ticket.pk, action])


# ============================================================================ queue


def test_queue_lists_open_tickets_nearest_due_time_first(desk, create, unit):
    relaxed = create(equipment=unit, customer=unit.customer, category="consultation", subject="咨询")  # L5: 24 h
    normal = create(equipment=unit, customer=unit.customer, subject="登录失败")  # L4: respond 30 min
    urgent = create(equipment=unit, customer=unit.customer, subject="全网中断",
                    outage_started_at=at("2025-01-27T12:00:00+08:00"))  # L1: respond 15 min
    done = create(equipment=unit, customer=unit.customer, subject="已解决")
    Ticket.objects.filter(pk=done.pk).update(status="resolved")

    response = desk.get(QUEUE)
    assert response.status_code == 200
    assert rows(response) == [urgent.number, normal.number, relaxed.number]
    text = page_text(response)
    assert 'data-level="L1"' in text and "text-bg-danger" in text
    assert 'hx-trigger="every 30s"' in text  # the table refreshes itself
    assert text.count("data-due=") == 3  # each row ticks in the browser
    assert "js/countdown.js" in text


def test_queue_filters(desk, agent, create, unit):
    group = ServiceGroupFactory(name="华东热线")
    mine = create(equipment=unit, customer=unit.customer, subject="我的单")
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent, group=group, status="assigned")
    other_unit = EquipmentFactory(serial="SN-FIND-ME")
    theirs = create(equipment=other_unit, customer=other_unit.customer, subject="别人的单",
                    outage_started_at=at("2025-01-27T12:00:00+08:00"))

    assert rows(desk.get(QUEUE, {"mine": "1"})) == [mine.number]
    assert rows(desk.get(QUEUE, {"group": group.pk})) == [mine.number]
    assert rows(desk.get(QUEUE, {"level": "L1"})) == [theirs.number]
    assert rows(desk.get(QUEUE, {"status": "assigned"})) == [mine.number]
    assert rows(desk.get(QUEUE, {"customer": other_unit.customer_id})) == [theirs.number]
    assert rows(desk.get(QUEUE, {"q": "FIND-ME"})) == [theirs.number]
    assert rows(desk.get(QUEUE, {"q": mine.number})) == [mine.number]
    assert rows(desk.get(QUEUE, {"q": "别人"})) == [theirs.number]


def test_queue_htmx_refresh_returns_only_the_table(desk, create, unit):
    ticket = create(equipment=unit, customer=unit.customer)
    response = desk.get(QUEUE, {"q": ticket.number}, headers={"HX-Request": "true"})
    text = page_text(response)
    assert rows(response) == [ticket.number]
    assert "<nav class=\"navbar" not in text
    assert f'hx-get="{QUEUE}?q={ticket.number}"' in text  # the next poll keeps the filters


def test_queue_query_count_does_not_grow_with_rows(desk, create):
    def add_tickets(count):
        for _ in range(count):
            unit = EquipmentFactory()
            ticket = create(equipment=unit, customer=unit.customer)
            Ticket.objects.filter(pk=ticket.pk).update(group=ServiceGroupFactory(), assignee=UserFactory())

    add_tickets(1)
    with CaptureQueriesContext(connection) as few:
        assert desk.get(QUEUE).status_code == 200
    add_tickets(12)
    with CaptureQueriesContext(connection) as many:
        response = desk.get(QUEUE)
    assert len(rows(response)) == 13
    assert len(many) == len(few)
    assert len(many) <= 10


def test_queue_needs_change_permission_and_is_not_for_customers(create, unit, make_user):
    create(equipment=unit, customer=unit.customer)
    assert logged_in(make_user(Role.VICE_PRESIDENT)).get(QUEUE).status_code == 403
    assert logged_in(CustomerUserFactory(customer=unit.customer)).get(QUEUE).status_code == 403
    assert logged_in(make_user(Role.DISPATCHER)).get(QUEUE).status_code == 200


# ============================================================================ new ticket


def form_data(unit, **changes):
    data = {"customer": unit.customer_id, "equipment": unit.pk, "site": unit.site_id, "category": "fault",
            "impact": "core", "channel": "phone", "subject": "防火墙宕机", "description": "主备切换失败",
            "caller_name": "王工", "caller_phone": "13800000000", "outage_started_at": "", "outage_ended_at": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_register_a_call(desk, unit, china_calendar):
    assert desk.get(ADD).status_code == 200
    response = desk.post(ADD, form_data(unit))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert (ticket.customer, ticket.equipment, ticket.site) == (unit.customer, unit, unit.site)
    assert (ticket.channel, ticket.caller_name, ticket.level) == ("phone", "王工", "L4")
    assert ticket.sla_targets.count() == 4
    detail = page_text(desk.get(response["Location"]))
    assert ticket.number in detail and "registered" in detail


@pytest.mark.parametrize(("changes", "field_message"), [
    ({"site": "other"}, "The site belongs to another customer."),
    ({"outage_started_at": "2025-01-27T15:00", "outage_ended_at": "2025-01-27T14:00"},
     "The outage cannot end before it started."),
    ({"equipment": "999999"}, "This unit does not exist."),
    ({"customer": None, "equipment": None, "site": None}, "Find the caller&#x27;s unit or customer and pick it."),
    ({"subject": ""}, "This field is required."),
    ({"outage_started_at": "yesterday-ish"}, "Enter a valid date/time."),
])
def test_bad_input_shows_the_error_and_writes_nothing(desk, unit, china_calendar, changes, field_message):
    if changes.get("site") == "other":
        changes = {"equipment": "", "site": SiteFactory().pk}
    audits = AuditLog.objects.count()
    response = desk.post(ADD, form_data(unit, **changes))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()
    assert AuditLog.objects.count() == audits


def test_another_customers_unit_cannot_be_used_by_a_customer_user(unit):
    client = logged_in(CustomerUserFactory())
    assert client.get(ADD).status_code == 403  # customers report problems in the portal
    assert client.post(ADD, form_data(unit)).status_code == 403
    assert not Ticket.objects.exists()


def test_equipment_link_prefills_the_unit(desk, unit):
    response = desk.get(ADD, {"equipment": unit.pk})
    text = page_text(response)
    assert unit.serial in text and unit.customer.name in text
    assert f'name="equipment" value="{unit.pk}"' in text
    assert f'<option value="{unit.site_id}" selected>' in text
    assert "selected>Phone</option>" in text
    # An unknown unit is not an error page, just nothing picked.
    assert desk.get(ADD, {"equipment": "999999"}).status_code == 200


def test_field_engineers_register_on_site(make_user, unit):
    response = logged_in(make_user(Role.FIELD_ENGINEER)).get(ADD)
    assert response.status_code == 200
    assert "selected>On site</option>" in page_text(response)
    assert logged_in(make_user(Role.VICE_PRESIDENT)).get(ADD).status_code == 403


def test_lookup_finds_units_by_serial_and_customers_by_name_and_picking_fills_the_form(desk, unit):
    unit.serial = "SN-LOOKUP-42"
    unit.save()
    other = CustomerFactory(name="上海地铁运营有限公司", code="SHMETRO")
    lookup = reverse("tickets:ticket_lookup")
    text = page_text(desk.get(lookup, {"q": "lookup-4"}))
    assert "SN-LOOKUP-42" in text and unit.customer.name in text
    text = page_text(desk.get(lookup, {"q": "地铁"}))
    assert "SHMETRO" in text and "SN-LOOKUP-42" not in text
    assert "Nothing found" in page_text(desk.get(lookup, {"q": "zzzz-nothing"}))

    pick = reverse("tickets:ticket_pick")
    text = page_text(desk.get(pick, {"equipment": unit.pk}))
    assert f'name="customer" value="{unit.customer_id}"' in text
    assert f'name="equipment" value="{unit.pk}"' in text
    assert f'<option value="{unit.site_id}" selected>' in text
    site = SiteFactory(customer=other, name="徐家汇站")
    text = page_text(desk.get(pick, {"customer": other.pk}))
    assert f'name="customer" value="{other.pk}"' in text and "徐家汇站" in text and site.pk
    assert 'name="equipment"' not in text


def test_lookup_is_scoped_and_needs_the_add_permission(unit, make_user):
    assert logged_in(make_user(Role.VICE_PRESIDENT)).get(reverse("tickets:ticket_lookup"), {"q": unit.serial}).status_code == 403
    assert logged_in(CustomerUserFactory()).get(reverse("tickets:ticket_pick"), {"equipment": unit.pk}).status_code == 403


# ============================================================================ ticket page


@pytest.fixture
def ticket(create, unit):
    """An L4 fault received on Monday 27 January 2025 at 10:00 (5x8 calendar)."""
    return create(equipment=unit, customer=unit.customer, now="2025-01-27T10:00:00+08:00")


def test_detail_shows_header_clocks_grade_history_and_timeline(desk, agent, ticket):
    ticket_regrade(ticket=ticket, level="L2", reason="客户多次催促", actor=agent, now=at("2025-01-27T10:20:00+08:00"))
    response = desk.get(ticket.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert ticket.number in text and ticket.customer.name in text and ticket.equipment.serial in text
    assert 'data-testid="level">L2<' in text
    for kind in ("respond", "diagnose", "on_site", "resolve", "loaner"):
        assert f'data-target="{kind}"' in text
    assert 'class="progress-bar' in text
    assert "2025-01-27 10:15" in text  # L2 respond: 15 business minutes from 10:00
    assert "客户多次催促" in text and "L4 → L2" in text
    assert 'data-kind="created"' in text and 'data-kind="regraded"' in text


def test_the_clocks_show_which_warnings_went_out_and_when_the_next_one_goes(desk, ticket, create):
    import re

    from aftersales.tickets.escalations import fire_escalations

    def warnings(response) -> dict[str, str]:
        cells = re.findall(r'data-target="(\w+)".*?data-testid="warnings">(.*?)</td>', response.content.decode(), re.S)
        return {kind: " ".join(re.sub(r"<[^>]+>", "", cell).split()) for kind, cell in cells}

    def shown(when) -> str:
        return f"{timezone.localtime(when):%m-%d %H:%M}"

    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    # A warning whose time came long ago but that no worker has sent yet says so: the
    # fixture's L4 was received on 27 January 2025 at 10:00 (respond by 10:30 on 5x8).
    assert warnings(desk.get(ticket.get_absolute_url(), **english))["respond"] == \
        "50 % due since 01-27 10:15, not sent yet"
    # A fault received now by a customer without a contract: respond within 30 clock minutes.
    fresh = create(now=timezone.now().isoformat(), customer=CustomerFactory())
    respond = fresh.sla_targets.get(kind="respond")
    assert respond.warning_due_at == respond.started_at + timedelta(minutes=15)
    url = fresh.get_absolute_url()
    assert warnings(desk.get(url, **english))["respond"] == f"next 50 % at {shown(respond.warning_due_at)}"
    assert warnings(desk.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))["respond"] == \
        f"下次 50% 预警于 {shown(respond.warning_due_at)}"
    fire_escalations(now=respond.warning_due_at)
    respond.refresh_from_db()
    assert warnings(desk.get(url, **english))["respond"] == f"50 % sent · next 75 % at {shown(respond.warning_due_at)}"
    fire_escalations(now=respond.due_at)
    assert warnings(desk.get(url, **english))["respond"] == "100 % sent"

    # A replayed moment shows no warning column: what went out then is on the timeline.
    replay = desk.get(ticket.get_absolute_url(), {"at": "2025-01-27T10:05"}, **english)
    assert 'data-testid="warnings"' not in replay.content.decode()


def test_an_e_mail_reply_shows_who_wrote_and_what_on_the_timeline(desk, ticket):
    from aftersales.tickets.models import TicketEvent

    TicketEvent.objects.create(ticket=ticket, kind="email", at=at("2025-01-27T11:00:00+08:00"),
                               data={"from": "wang@example.com", "subject": f"Re: {ticket.number}",
                                     "text": "重启后仍然报警，请尽快派人"})
    text = page_text(desk.get(ticket.get_absolute_url()))
    assert "wang@example.com" in text and "重启后仍然报警，请尽快派人" in text


def test_due_times_moved_by_a_calendar_change_show_old_and_new_times(desk, ticket):
    from aftersales.tickets.models import TicketEvent

    TicketEvent.objects.create(ticket=ticket, kind="deadline_moved", at=at("2025-01-27T12:00:00+08:00"),
                               data={"moves": [{"kind": "resolve", "from": "2025-01-29T14:00:00+08:00",
                                                "to": "2025-01-30T06:00:00+00:00"}], "provisional": False})
    text = page_text(desk.get(ticket.get_absolute_url()))
    assert "2025-01-29 14:00 → 2025-01-30 14:00" in text  # both in Shanghai time


def test_detail_is_404_across_customers_and_403_for_customers_and_roles_without_view(ticket, make_user):
    url = ticket.get_absolute_url()
    assert logged_in(CustomerUserFactory()).get(url).status_code == 404
    assert logged_in(CustomerUserFactory(customer=ticket.customer)).get(url).status_code == 403
    assert logged_in(no_role_user()).get(url).status_code == 403
    assert logged_in(make_user(Role.VICE_PRESIDENT)).get(url).status_code == 200


def test_detail_query_count_is_bounded(desk, agent, ticket):
    for n in range(5):
        desk.post(action_url(ticket, "comment"), {"text": f"第{n}次回电"})
    with CaptureQueriesContext(connection) as queries:
        assert desk.get(ticket.get_absolute_url()).status_code == 200
    assert len(queries) <= 20


def test_each_action_works(desk, agent, ticket, make_user):
    engineer = make_user(Role.FIELD_ENGINEER, first_name="Zhang", last_name="San")
    group = ServiceGroupFactory(name="现场组")

    response = desk.post(action_url(ticket, "regrade"), {"level": "L3", "reason": "核心业务受影响"})
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.level == "L3" and GradeChange.objects.get(ticket=ticket).reason == "核心业务受影响"

    assert desk.post(action_url(ticket, "assign"), {"group": group.pk, "assignee": engineer.pk}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.group, ticket.assignee, ticket.status) == (group, engineer, "assigned")

    assert desk.post(action_url(ticket, "pause"), {"reason": "等客户提供日志"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer" and SlaPause.objects.filter(ticket=ticket, ended_at=None).exists()
    assert "Resume the clocks" in page_text(desk.get(ticket.get_absolute_url()))

    assert desk.post(action_url(ticket, "resume")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and not SlaPause.objects.filter(ticket=ticket, ended_at=None).exists()

    assert desk.post(action_url(ticket, "met"), {"kind": "respond", "at": ""}).status_code == 302
    assert ticket.sla_targets.get(kind="respond").met_at is not None

    assert desk.post(action_url(ticket, "comment"), {"text": "已远程登录排查"}).status_code == 302
    assert desk.post(action_url(ticket, "status"), {"status": "resolved"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.sla_targets.get(kind="resolve").met_at is not None

    text = page_text(desk.get(ticket.get_absolute_url()))
    assert "已远程登录排查" in text and "Zhang San" in text
    assert list(ticket.events.values_list("kind", flat=True)) == [
        "created", "regraded", "assigned", "paused", "resumed", "target_met", "commented", "target_met",
        "status_changed"]


@pytest.mark.parametrize(("action", "data", "message"), [
    ("regrade", {"level": "L3", "reason": ""}, "Say why the level changes."),
    ("regrade", {"level": "L4", "reason": "same"}, "The service request is already L4."),
    ("regrade", {"level": "L9", "reason": "x"}, "Select a valid choice."),
    ("pause", {"reason": ""}, "Say what the customer has to provide."),
    ("met", {"kind": "teleport"}, "Select a valid choice."),
    ("met", {"kind": "respond", "at": "2025-01-26T09:00"}, "A target cannot be met before the request was received."),
    ("status", {"status": "waiting_customer"}, "Select a valid choice."),
    ("comment", {"text": "  "}, "Write the comment."),
])
def test_bad_action_input_shows_the_error_and_changes_nothing(desk, ticket, action, data, message):
    before = (ticket.level, ticket.status, TicketEvent.objects.count(), AuditLog.objects.count())
    response = desk.post(action_url(ticket, action), data)
    assert response.status_code == 200
    assert message in page_text(response).replace("&#x27;", "'")
    ticket.refresh_from_db()
    assert (ticket.level, ticket.status, TicketEvent.objects.count(), AuditLog.objects.count()) == before


def test_resume_without_a_pause_says_so(desk, ticket):
    response = desk.post(action_url(ticket, "resume"), follow=True)
    assert "The clocks are not stopped." in page_text(response)


def test_actions_are_refused_without_permission(ticket, make_user):
    for client, status in [(logged_in(make_user(Role.VICE_PRESIDENT)), 403),
                           (logged_in(CustomerUserFactory(customer=ticket.customer)), 403),
                           (logged_in(CustomerUserFactory()), 404)]:
        for action, data in [("regrade", {"level": "L1", "reason": "x"}), ("pause", {"reason": "x"}),
                             ("resume", {}), ("met", {"kind": "respond"}), ("assign", {}),
                             ("status", {"status": "closed"}), ("comment", {"text": "x"})]:
            assert client.post(action_url(ticket, action), data).status_code == status, action
    ticket.refresh_from_db()
    assert (ticket.level, ticket.status) == ("L4", "new")
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]
    assert logged_in(make_user(Role.SERVICE_DESK)).get(action_url(ticket, "regrade")).status_code == 405


def test_replay_shows_the_level_and_due_times_before_a_regrade(desk, agent, ticket):
    ticket_regrade(ticket=ticket, level="L1", reason="全网中断", actor=agent, now=at("2025-01-27T10:20:00+08:00"))
    now_text = page_text(desk.get(ticket.get_absolute_url()))
    assert 'data-testid="level">L1<' in now_text

    before = desk.get(ticket.get_absolute_url(), {"at": "2025-01-27T10:10"})
    text = page_text(before)
    assert 'data-testid="replay"' in text
    assert 'data-testid="level">L4<' in text
    assert "2025-01-27 10:30" in text  # L4 respond: 30 business minutes from 10:00
    assert 'data-target="loaner"' not in text  # L4 owes no loaner
    assert 'data-kind="regraded"' not in text and "全网中断" not in text
    assert 'id="actions"' not in text  # nothing to act on in the past

    after = page_text(desk.get(ticket.get_absolute_url(), {"at": "2025-01-27T10:30"}))
    assert 'data-testid="level">L1<' in after and 'data-target="loaner"' in after and "全网中断" in after

    bad = page_text(desk.get(ticket.get_absolute_url(), {"at": "not a time"}))
    assert "Enter a valid date/time." in bad and 'data-testid="replay"' not in bad


# ============================================================================ breaking soon


@pytest.fixture
def live_tickets(agent, china_calendar):
    """Tickets received now on the 7x24 hotline (customers without a contract)."""

    def make(**data):
        data.setdefault("customer", CustomerFactory())
        data.setdefault("subject", "实时故障")
        return ticket_create(actor=agent, data=data, channel="phone")

    return make


def test_breaking_soon_groups_by_hour_with_counts_per_level(desk, live_tickets, create, unit):
    now = timezone.now()
    soon = live_tickets()  # L4: respond 30 min, diagnose 1 h, on site and resolve 24 h
    urgent = live_tickets(outage_started_at=now - timedelta(hours=5))  # L1: 15 min, 30 min, 4 h, 8 h
    breached = create(equipment=unit, customer=unit.customer)  # January 2025: long overdue
    waiting = live_tickets()
    waiting.status = "waiting_customer"
    waiting.save()

    response = desk.get(BREAKING)
    assert response.status_code == 200
    text = page_text(response)
    numbers = rows(response)
    assert numbers.count(soon.number) == 2 and numbers.count(urgent.number) == 3
    assert numbers.count(breached.number) == 4 and waiting.number not in numbers
    assert numbers[:4] == [breached.number] * 4  # breached first
    assert 'data-group="breached"' in text
    assert 'data-level="L1" title="L1 (outage over 4 h)">L1: 3<' in text
    assert 'data-level="L4" title="L4 (core function, under 1 h)">L4: 6<' in text
    assert text.count('class="hour-bar-row"') == 1 + 5  # breached, then every hour of the window

    narrower = rows(desk.get(BREAKING, {"hours": "2"}))
    assert narrower.count(urgent.number) == 2  # on site (4 h) is further away
    wider = rows(desk.get(BREAKING, {"hours": "24"}))
    assert wider.count(urgent.number) == 4 and wider.count(soon.number) == 4
    assert rows(desk.get(BREAKING, {"hours": "999"})) == numbers  # unknown window: the default


def test_breaking_soon_is_for_staff_with_change_permission(make_user):
    assert logged_in(make_user(Role.VICE_PRESIDENT)).get(BREAKING).status_code == 403
    assert logged_in(CustomerUserFactory()).get(BREAKING).status_code == 403
    assert logged_in(make_user(Role.SERVICE_MANAGER)).get(BREAKING).status_code == 200


def test_breaking_soon_query_count_does_not_grow(desk, live_tickets):
    live_tickets()
    with CaptureQueriesContext(connection) as few:
        desk.get(BREAKING)
    for _ in range(8):
        live_tickets(outage_started_at=timezone.now() - timedelta(hours=5))
    with CaptureQueriesContext(connection) as many:
        response = desk.get(BREAKING)
    assert len(rows(response)) == 2 + 8 * 3
    assert len(many) == len(few) <= 8


# ============================================================================ home dashboard


def test_home_shows_my_open_tickets_and_what_breaks_soon(agent, desk, live_tickets):
    mine = live_tickets()
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent)
    live_tickets()
    text = page_text(desk.get(reverse("home")))
    assert 'data-count="my_tickets"' in text and 'data-count="breaking"' in text
    assert mine.number in text
    assert f'href="{QUEUE}?mine=1"' in text and f'href="{BREAKING}?hours=4"' in text
    vp_text = page_text(logged_in(UserFactory(role=Role.VICE_PRESIDENT)).get(reverse("home")))
    assert 'data-count="my_tickets"' not in vp_text


# ============================================================================ groups and rules


class TestServiceGroupPages(PageCrudCase):
    model = ServiceGroup
    url_prefix = "tickets:servicegroup"
    scoped_to_customer = False
    edit_data = {"email": "hotline@example.com"}
    bad_data = [({"name": ""}, "This field is required."), ({"email": "not-mail"}, "Enter a valid email address.")]

    def make(self, customer):
        return ServiceGroupFactory(name=f"热线 {uuid.uuid4().hex[:8]}")

    def create_data(self, customer):
        return {"name": "华南热线", "email": "south@example.com"}

    @pytest.mark.django_db
    def test_list_hides_other_customers_rows_from_a_customer_user(self):
        self.make(CustomerFactory())
        assert logged_in(CustomerUserFactory()).get(self.url("list")).status_code == 403


class TestRoutingRulePages(PageCrudCase):
    model = RoutingRule
    url_prefix = "tickets:routingrule"
    scoped_to_customer = False
    edit_data = {"priority": 5}
    bad_data = [({"priority": "-1"}, "Ensure this value is greater than or equal to 0."),
                ({"group": ""}, "This field is required."),
                ({"category": "teleport"}, "Select a valid choice.")]

    def make(self, customer):
        return RoutingRule.objects.create(group=ServiceGroupFactory(name=f"组 {uuid.uuid4().hex[:8]}"), priority=100)

    def create_data(self, customer):
        return {"group": ServiceGroupFactory().pk, "priority": 10, "category": "fault", "region": "east"}

    def row_text(self, obj):
        return obj.group.name

    @pytest.mark.django_db
    def test_list_hides_other_customers_rows_from_a_customer_user(self):
        self.make(CustomerFactory())
        assert logged_in(CustomerUserFactory()).get(self.url("list")).status_code == 403


def test_console_pages_render_in_chinese(agent, ticket, live_tickets):
    live_tickets()
    client = logged_in(agent, language="zh-hans")
    for url in (QUEUE, ADD, BREAKING, ticket.get_absolute_url(), reverse("home"),
                reverse("tickets:servicegroup_list"), reverse("tickets:routingrule_list")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="zh-hans"' in response.content.decode(), url
