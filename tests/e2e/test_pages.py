"""A service-desk day in a real browser: log in, find a customer, open a unit, add a
contact, use it on a phone, switch language."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from aftersales.accounts.choices import Role
from aftersales.customers.models import Contact
from tests.e2e.conftest import log_in
from tests.factories import (
    ComponentFactory,
    ContactFactory,
    ContractFactory,
    ContractItemFactory,
    CustomerFactory,
    EquipmentFactory,
    SiteFactory,
    UserFactory,
    WarrantyTermFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive():
    """Three customers with sites, contracts with warranty terms and units."""
    today = datetime.date.today()
    made = {}
    for code, name, region in [("SHMETRO", "上海地铁运营有限公司", "east"), ("BJPOWER", "北京电力公司", "north"),
                               ("GZPORT", "广州港集团", "south")]:
        customer = CustomerFactory(code=code, name=name, region=region, tier="key")
        site = SiteFactory(customer=customer, name=f"{name[:2]}数据中心")
        contract = ContractFactory(customer=customer, number=f"HT-{code}", signed_on=today - datetime.timedelta(days=400),
                                   accepted_on=today - datetime.timedelta(days=350))
        ContactFactory(customer=customer, site=site, name=f"{name[:2]}值班长", is_primary=True)
        unit = EquipmentFactory(site=site, contract=contract, serial=f"SN-{code}-001", accepted_on=None,
                                configuration={"hostname": f"fw-{code.lower()}", "ha": True, "vlans": [10, 20]})
        core = ComponentFactory(product=unit.product, code="CORE", name="核心主机")
        item = ContractItemFactory(contract=contract, product=unit.product)
        WarrantyTermFactory(contract_item=item, months=24, description="整机保修")
        WarrantyTermFactory(contract_item=item, component=core, months=72, description="核心部件")
        made[code] = unit
    made["agent"] = UserFactory(username="desk", role=Role.SERVICE_MANAGER, first_name="Li", last_name="Ming")
    return made


def test_log_in_search_a_customer_and_open_a_unit(new_page, live_server, archive, screenshot):
    page = new_page()
    page.goto(live_server.url + "/customers/customers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # pages need a login
    log_in(page, live_server.url, "desk")
    expect(page.locator("[data-count=equipment] .display-6")).to_have_text("3")
    expect(page.locator("canvas").first).to_be_visible()  # the ECharts region chart drew
    screenshot(page, "home-dashboard")

    page.get_by_role("link", name="Customers", exact=True).click()
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Search").fill("地铁")  # htmx refreshes the table as one types
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=%E5%9C%B0%E9%93%81"))  # the filter is in the address
    screenshot(page, "customer-list")
    page.get_by_role("link", name="上海地铁运营有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SHMETRO 上海地铁运营有限公司")

    page.locator("td a", has_text="上海数据中心").first.click()
    page.get_by_role("link", name="SN-SHMETRO-001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SN-SHMETRO-001")
    warranty = page.locator("#warranty")
    expect(warranty).to_contain_text("核心主机")
    expect(warranty).to_contain_text("In warranty")
    expect(page.get_by_test_id("configuration")).to_contain_text('"hostname": "fw-shmetro"')
    expect(page.locator(".qr svg")).to_be_visible()
    screenshot(page, "equipment-detail", full_page=True)


def test_create_a_contact_after_fixing_a_bad_email(new_page, live_server, archive):
    page = new_page()
    log_in(page, live_server.url, "desk")
    customer = archive["BJPOWER"].customer
    page.goto(f"{live_server.url}/customers/contacts/add/?customer={customer.pk}")
    expect(page.get_by_label("Customer")).to_have_value(str(customer.pk))
    page.get_by_label("Name").fill("Zhang San")
    page.get_by_label("E-mail").fill("zhang.san.example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_have_text(["Enter a valid email address."])
    assert not Contact.objects.filter(name="Zhang San").exists()

    page.get_by_label("E-mail").fill("zhang.san@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Zhang San")
    expect(page.locator(".detail-table")).to_contain_text("zhang.san@example.com")
    assert Contact.objects.get(name="Zhang San").customer == customer


def test_on_a_phone_the_menu_collapses_and_lists_stay_usable(new_page, live_server, archive, screenshot):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, "desk")
    page.goto(live_server.url + "/assets/equipment/")
    menu_link = page.locator("#main-nav").get_by_role("link", name="Customers", exact=True)
    expect(menu_link).to_be_hidden()
    toggler = page.get_by_role("button", name="Show menu")
    expect(toggler).to_be_visible()
    box = toggler.bounding_box()
    assert box["height"] >= 40  # a thumb can hit it
    screenshot(page, "phone-equipment-list")

    expect(page.locator("#object-table tbody tr").first).to_be_in_viewport()  # rows not pushed off by filters
    expect(page.get_by_label("Region")).to_be_hidden()
    page.get_by_role("button", name="More filters").tap()
    expect(page.get_by_label("Region")).to_be_visible()
    page.get_by_label("Search").fill("GZPORT")
    expect(page.locator("#object-table tbody tr")).to_have_count(1)
    # The page itself never scrolls sideways; only the table may.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="SN-GZPORT-001").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SN-GZPORT-001")

    toggler.tap()
    expect(menu_link).to_be_visible()
    screenshot(page, "phone-menu-open")
    menu_link.tap()
    expect(page).to_have_url(re.compile(r"/customers/customers/$"))


def test_switch_language_from_chinese_to_english(new_page, live_server, archive):
    page = new_page(locale="zh-CN")
    log_in(page, live_server.url, "desk")
    page.goto(live_server.url + "/assets/equipment/")
    expect(page.get_by_role("heading", level=1)).to_have_text("设备")
    page.locator("#language-menu").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Equipment")
    expect(page).to_have_url(re.compile(r"/assets/equipment/$"))  # stayed on the same page
    page.locator("#language-menu").click()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设备")
