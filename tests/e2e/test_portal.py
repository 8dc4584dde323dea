"""A customer on a phone: scans the QR code on a machine, logs in, reports the problem and
finds the request in its list."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from playwright.sync_api import expect

from aftersales.portal.labels import equipment_token
from aftersales.tickets.models import Ticket
from tests.e2e.conftest import PASSWORD
from tests.factories import CustomerFactory, CustomerUserFactory, EquipmentFactory, SiteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_customer_scans_a_unit_reports_a_problem_and_follows_it(new_page, live_server, screenshot):
    # An earlier transactional test may have flushed the named calendars (5x8, 7x24) that a
    # data migration creates; create them again the migration's way. (serialized_rollback
    # would collide with the content types the previous flush recreated.)
    named_calendars = importlib.import_module("aftersales.calendars.migrations.0002_named_service_calendars")
    named_calendars.create_named_calendars(django_apps, None)
    call_command("load_calendar", "--years", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
    customer = CustomerFactory(code="SHMETRO", name="上海地铁运营有限公司")
    unit = EquipmentFactory(site=SiteFactory(customer=customer, name="徐家汇机房"), serial="SN-SHMETRO-001")
    EquipmentFactory(site=SiteFactory(customer=customer, name="莘庄机房"), serial="SN-SHMETRO-002")
    CustomerUserFactory(customer=customer, username="zhangwei", first_name="Wei", last_name="Zhang")
    link = f"{live_server.url}/portal/report/{equipment_token(unit.pk)}/"

    page = new_page(**PHONE)
    page.goto(link)  # what the phone's camera opens
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.fill("input[name=username]", "zhangwei")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(link)  # back at the label's link after logging in
    expect(page.get_by_test_id("scanned-unit")).to_contain_text("SN-SHMETRO-001")
    expect(page.get_by_label("Unit")).to_have_value(str(unit.pk))
    expect(page.get_by_label("Site")).to_have_value(str(unit.site_id))
    screenshot(page, "portal-report-form-phone", full_page=True)

    page.get_by_label("Impact").select_option("core")
    page.get_by_label("Subject").fill("闸机控制器无响应")
    page.get_by_label("What happened").fill("早高峰开始后 3 号口闸机全部无法刷卡")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/portal/requests/\d+/$"))  # the request's page: the create committed

    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.equipment_id) == ("portal", unit.pk)
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.number)
    expect(page.get_by_role("alert").first).to_contain_text(f"Your service request {ticket.number} is registered")
    expect(page.get_by_test_id("plain-state")).to_contain_text("we will contact you by")
    expect(page.get_by_test_id("promise").first).to_be_visible()
    screenshot(page, "portal-request-detail-phone", full_page=True)

    page.get_by_role("link", name=re.compile("My service requests")).first.click()
    row = page.locator(f"[data-number='{ticket.number}']")
    expect(row).to_contain_text("闸机控制器无响应")
    expect(row).to_be_in_viewport()
    # Made for the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "portal-list-phone")
