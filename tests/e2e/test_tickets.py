"""A hotline agent in a real browser: registers a call from the console by the unit's serial
number, finds it in the queue with a countdown that ticks, opens it and re-grades it."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.tickets.models import GradeChange, Ticket
from tests.e2e.conftest import log_in
from tests.factories import CustomerFactory, EquipmentFactory, SiteFactory, UserFactory

# No serialized rollback: restoring it after another transactional test's flush collides with
# the content types that flush recreated; the named calendars are put back by each test instead.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def named_calendars() -> None:
    """The 5x8 and 7x24 calendars of the data migration, which an earlier transactional test's
    flush (without serialized rollback) may have removed."""
    importlib.import_module("aftersales.calendars.migrations.0002_named_service_calendars").create_named_calendars(apps, None)


def test_register_a_call_see_it_tick_in_the_queue_and_regrade_it(new_page, live_server, screenshot):
    named_calendars()
    call_command("load_calendar", "--years", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
    customer = CustomerFactory(code="SHMETRO", name="上海地铁运营有限公司")
    unit = EquipmentFactory(site=SiteFactory(customer=customer, name="徐家汇机房"), serial="SN-SHMETRO-001",
                            contract=None)  # no contract: the 7x24 hotline's clocks
    UserFactory(username="desk", role=Role.SERVICE_DESK, first_name="Li", last_name="Ming")

    page = new_page()
    log_in(page, live_server.url, "desk")
    expect(page.locator("[data-count=my_tickets]")).to_be_visible()  # the agent's cards on the dashboard
    page.get_by_role("link", name="Service requests", exact=True).click()
    page.get_by_role("link", name="Register a call").click()

    # One search box: type part of the serial number, pick the unit.
    page.get_by_label("Find the unit or customer").fill("shmetro-0")
    page.locator("[data-pick=equipment]", has_text="SN-SHMETRO-001").click()
    picked = page.get_by_test_id("picked")
    expect(picked).to_contain_text("SN-SHMETRO-001")
    expect(picked).to_contain_text("上海地铁运营有限公司")
    expect(page.get_by_label("Site")).to_have_value(str(unit.site_id))
    expect(page.get_by_label("Channel")).to_have_value("phone")
    page.get_by_label("Subject").fill("闸机控制器无响应")
    page.get_by_label("Caller name").fill("王工")
    screenshot(page, "ticket-register-call", full_page=True)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+/$"))  # the ticket's page: the create committed

    ticket = Ticket.objects.get()
    assert (ticket.equipment_id, ticket.channel, ticket.level) == (unit.pk, "phone", "L4")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.number)

    page.get_by_role("link", name="Service requests").first.click()
    row = page.locator(f"tr[data-ticket='{ticket.number}']")
    expect(row).to_be_visible()
    countdown = row.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^0:[0-5]\d:[0-5]\d$"))  # respond within 30 min
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3_000)  # it ticks
    expect(countdown).to_have_attribute("data-state", "soon")  # under 30 min left: amber, not yet red
    screenshot(page, "ticket-queue")

    row.get_by_role("link", name=ticket.number).click()
    expect(page.locator("#clocks [data-target=respond]")).to_be_visible()
    page.locator("#regrade_level").select_option("L2")
    page.locator("#regrade_reason").fill("客户多次催促，早高峰影响乘客")
    page.get_by_role("button", name="Change level").click()
    expect(page.get_by_role("alert").first).to_contain_text("The level was changed.")
    expect(page.get_by_test_id("level")).to_have_text("L2")
    expect(page.locator("#grade-history")).to_contain_text("客户多次催促")
    expect(page.locator("#clocks [data-target=loaner]")).to_be_visible()  # L2 owes a loaner unit
    assert GradeChange.objects.get(ticket=ticket).to_level == "L2"
    screenshot(page, "ticket-detail", full_page=True)

    # The service manager's view: an L2 owes respond, diagnose and on site within 4 hours.
    page.get_by_role("link", name="Breaking soon").first.click()
    expect(page.locator(f"tr[data-ticket='{ticket.number}']")).to_have_count(3)
    expect(page.get_by_test_id("level-counts")).to_contain_text("L2: 3")
    screenshot(page, "ticket-breaking-soon", full_page=True)

    # The same queue on a phone: no sideways scrolling.
    phone = new_page(**PHONE)
    log_in(phone, live_server.url, "desk")
    phone.goto(f"{live_server.url}/tickets/")
    expect(phone.locator(f"tr[data-ticket='{ticket.number}'] .countdown")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "ticket-queue-phone", full_page=True)
    phone.locator(f"tr[data-ticket='{ticket.number}'] a").click()
    expect(phone.locator("#clocks [data-target=respond]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "ticket-detail-phone", full_page=True)
