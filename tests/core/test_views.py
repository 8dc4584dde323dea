"""Pages of the core app: home dashboard, audit log, login, errors, phone layout."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.services import object_update
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    CustomerUserFactory,
    EquipmentFactory,
    SiteFactory,
    UserFactory,
)
from tests.pages import PASSWORD, logged_in, page_text


@pytest.mark.django_db
def test_pages_need_login():
    response = Client().get(reverse("customers:customer_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_then_logout_by_post():
    user = UserFactory(role=Role.SERVICE_DESK)
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # a link cannot log you out
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_an_error():
    user = UserFactory()
    response = Client().post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in Client().session


@pytest.mark.django_db
def test_login_rate_limit_refuses_even_the_right_password(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (3, 300)}
    user = UserFactory(username="limited")
    client = Client(REMOTE_ADDR="10.0.0.9", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        client.post(reverse("login"), {"username": "limited", "password": "wrong guess"})
    response = client.post(reverse("login"), {"username": "limited", "password": PASSWORD})
    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert re.search(r"Too many login attempts; try again in \d+ s\.", error)
    assert "_auth_user_id" not in client.session
    # Another address is counted apart: the owner can still log in from elsewhere.
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert other.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_home_counts_are_scoped_for_a_customer_user():
    customer_user = CustomerUserFactory()
    EquipmentFactory(site=SiteFactory(customer=customer_user.customer))
    for _ in range(3):
        EquipmentFactory()
    own = logged_in(customer_user).get(reverse("home"))
    counts = {item["key"]: item["count"] for item in own.context["counts"]}
    assert counts == {"customers": 1, "sites": 1, "equipment": 1, "contracts": 1}
    assert own.context["overdue_cards"] is None  # staff only
    staff = logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("home"))
    counts = {item["key"]: item["count"] for item in staff.context["counts"]}
    assert counts["equipment"] == 4
    assert staff.context["overdue_cards"] is not None


@pytest.mark.django_db
def test_home_chart_counts_equipment_by_region():
    EquipmentFactory(site=SiteFactory(customer=CustomerFactory(region="north")))
    EquipmentFactory(site=SiteFactory(customer=CustomerFactory(region="east")))
    EquipmentFactory(site=SiteFactory(customer=CustomerFactory(region="east")))
    response = logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    chart = response.context["chart"]
    assert dict(zip(chart["labels"], chart["values"], strict=True)) == {"North China": 1, "East China": 2}
    assert 'id="chart-equipment-by-region"' in page_text(response)


@pytest.mark.django_db
def test_home_lists_warranties_ending_soon():
    from aftersales.assets.models import WarrantyTerm
    from aftersales.customers.models import ContractItem

    today = datetime.date.today()
    accepted = today - datetime.timedelta(days=335)  # a 12-month warranty ends about a month from now
    contract = ContractFactory(signed_on=accepted - datetime.timedelta(days=30), accepted_on=accepted)
    unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer), accepted_on=accepted)
    EquipmentFactory(site=SiteFactory(customer=contract.customer), contract=contract,
                     accepted_on=today - datetime.timedelta(days=30))  # ends in 11 months: not listed
    item = ContractItem.objects.create(contract=contract, product=unit.product)
    WarrantyTerm.objects.create(contract_item=item, months=12)
    response = logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("home"))
    assert [row.equipment for row in response.context["ending"]] == [unit]
    assert unit.serial in page_text(response)


@pytest.mark.django_db
def test_audit_log_page_is_for_administrators_only(admin, manager):
    customer = CustomerFactory(name="Old name")
    object_update(actor=admin, instance=customer, data={"name": "New name"})
    response = logged_in(admin).get(reverse("core:audit_list"), {"action": "update"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Old name" in text and "New name" in text
    assert logged_in(manager).get(reverse("core:audit_list")).status_code == 403
    assert logged_in(CustomerUserFactory()).get(reverse("core:audit_list")).status_code == 403


@pytest.mark.django_db
def test_audit_log_filters_by_object_type_and_actor(admin, manager):
    customer = CustomerFactory()
    object_update(actor=admin, instance=customer, data={"name": "By admin"})
    object_update(actor=manager, instance=SiteFactory(customer=customer), data={"name": "By manager"})
    client = logged_in(admin)
    rows = client.get(reverse("core:audit_list"), {"object_type": "customers.site"}).context["rows"]
    assert [row["object"].object_type for row in rows] == ["customers.site"]
    rows = client.get(reverse("core:audit_list"), {"actor": "manager"}).context["rows"]
    assert {row["object"].actor_name for row in rows} == {"manager"}


@pytest.mark.django_db
def test_menu_shows_only_permitted_pages():
    text = page_text(logged_in(CustomerUserFactory()).get(reverse("home")))
    assert reverse("customers:customer_list") in text
    assert reverse("core:audit_list") not in text
    assert reverse("core:import") not in text


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token():
    response = logged_in(UserFactory()).get(reverse("home"))
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[\w-]+\"\}'", response.content.decode())


# ---------------------------------------------------------------- narrow screens


class TableCells(HTMLParser):
    """The header and body cells of the list table, each as (text, classes)."""

    def __init__(self):
        super().__init__()
        self.headers: list[tuple[str, set[str]]] = []
        self.rows: list[list[tuple[str, set[str]]]] = []
        self._cell: list | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("th", "td") and self._cell is None:
            self._cell = [tag, "", set((dict(attrs).get("class") or "").split())]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if self._cell is not None and tag == self._cell[0]:
            cell = (self._cell[1].strip(), self._cell[2])
            (self.rows[-1] if self._in_body else self.headers).append(cell)
            self._cell = None


def on_a_phone(classes: set[str]) -> bool:
    """Below Bootstrap's md breakpoint a `d-none` cell is hidden whatever else it says."""
    return "d-none" not in classes


def list_table(response) -> TableCells:
    parser = TableCells()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.django_db
def test_equipment_list_on_a_phone_shows_serial_customer_and_status_only():
    unit = EquipmentFactory(serial="SN-PHONE-1")
    table = list_table(logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("assets:equipment_list")))
    assert [text for text, classes in table.headers if on_a_phone(classes)] == ["Serial number", "Customer", "Status"]
    assert len(table.headers) == 7  # the other columns are still there on wider screens
    [row] = table.rows
    phone_cells = [text for text, classes in row if on_a_phone(classes)]
    assert phone_cells[0] == unit.serial  # the link to the unit stays
    assert phone_cells[1] == str(unit.customer)
    # The cells hide with their headers, so columns never shift under the wrong heading.
    assert [classes for _, classes in row] == [classes for _, classes in table.headers]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["customers:customer_list", "customers:site_list", "customers:contact_list",
                                      "customers:contract_list", "assets:product_list", "assets:equipment_list"])
def test_every_list_fits_a_phone_with_its_link_column(url_name):
    from tests.factories import ContactFactory, ProductFactory

    ContactFactory(site=SiteFactory())
    EquipmentFactory(product=ProductFactory())
    table = list_table(logged_in(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse(url_name)))
    shown = [text for text, classes in table.headers if on_a_phone(classes)]
    assert 2 <= len(shown) <= 3, shown
    assert len(table.headers) > len(shown)
    first_row = table.rows[0]
    assert on_a_phone(first_row[0][1])  # the first column links to the detail page


def test_a_column_priority_outside_the_breakpoints_is_refused():
    from aftersales.core.generic import Column

    with pytest.raises(ValueError, match="priority"):
        Column("site", priority=7)
    assert Column("serial", link=True, priority=4).css_class == ""  # a link column never hides


@pytest.mark.django_db
@pytest.mark.parametrize(("today", "warned"), [(datetime.date(2026, 11, 2), True), (datetime.date(2026, 10, 31), False)])
def test_dashboard_warns_from_november_when_next_years_working_days_are_missing(monkeypatch, manager, today, warned):
    from aftersales.calendars.templatetags import calendar_warnings

    monkeypatch.setattr(calendar_warnings.timezone, "localdate", lambda *args: today)
    text = page_text(logged_in(manager).get(reverse("home")))
    assert ("The working days of 2027" in text) is warned


@pytest.mark.django_db
def test_dashboard_does_not_warn_once_next_year_is_loaded(monkeypatch, manager):
    from aftersales.calendars.models import CalendarYear
    from aftersales.calendars.templatetags import calendar_warnings

    monkeypatch.setattr(calendar_warnings.timezone, "localdate", lambda *args: datetime.date(2026, 11, 2))
    from django.utils import timezone as tz

    CalendarYear.objects.create(year=2027, source="file", loaded_at=tz.now())
    assert "The working days of 2027" not in page_text(logged_in(manager).get(reverse("home")))
