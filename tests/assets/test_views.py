"""Pages of products, equipment (warranty, history, QR code) and overdue warranty cards."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.assets.models import Component, Equipment, EquipmentChange, Product, WarrantyCard
from tests.factories import (
    ComponentFactory,
    ContractFactory,
    ContractItemFactory,
    CustomerUserFactory,
    EquipmentFactory,
    ProductFactory,
    SiteFactory,
    UserFactory,
    WarrantyCardFactory,
    WarrantyTermFactory,
)
from tests.pages import PageCrudCase, logged_in, page_text


class TestProductPages(PageCrudCase):
    model = Product
    url_prefix = "assets:product"
    scoped_to_customer = False  # the catalog is shared by every customer
    edit_data = {"manufacturer": "Acme"}
    bad_data = [({"category": "spaceship"}, "Select a valid choice."), ({"model": ""}, "This field is required.")]

    def make(self, customer):
        return ProductFactory()

    def create_data(self, customer):
        return {"model": "USG-6000", "name": "统一安全网关", "category": "network_security"}

    def row_text(self, obj):
        return obj.model

    @pytest.mark.django_db
    def test_detail_lists_components_and_a_component_can_be_added(self):
        component = ComponentFactory(name="电源模块")
        client = logged_in(UserFactory(role=Role.WAREHOUSE))
        assert "电源模块" in page_text(client.get(component.product.get_absolute_url()))
        response = client.post(reverse("assets:component_add"),
                               {"product": component.product.pk, "code": "FAN", "name": "风扇"})
        assert response.status_code == 302
        assert response["Location"] == component.product.get_absolute_url()
        assert Component.objects.filter(product=component.product, code="FAN").exists()


class TestEquipmentPages(PageCrudCase):
    model = Equipment
    url_prefix = "assets:equipment"
    edit_data = {"software_version": "6.0.2"}
    bad_data = [({"configuration": "[1, 2]"}, "The configuration must be a JSON object."),
                ({"configuration": "{not json"}, "Enter a valid JSON."),
                ({"serial": ""}, "This field is required.")]

    def make(self, customer):
        return EquipmentFactory(site=SiteFactory(customer=customer))

    def create_data(self, customer):
        site = SiteFactory(customer=customer)
        return {"product": ProductFactory().pk, "serial": "SN-NEW-1", "site": site.pk, "status": "in_service",
                "configuration": '{"hostname": "fw-09"}', "accepted_on": "2025-04-01"}

    def row_text(self, obj):
        return obj.serial

    @pytest.mark.django_db
    def test_contract_of_another_customer_is_refused(self):
        customer = SiteFactory().customer
        other_contract = ContractFactory()
        client = logged_in(UserFactory(role=Role.SERVICE_MANAGER))
        response = client.post(reverse("assets:equipment_add"),
                               {**self.create_data(customer), "contract": other_contract.pk})
        assert "The contract belongs to another customer than the site." in page_text(response)
        assert not Equipment.objects.filter(serial="SN-NEW-1").exists()

    @pytest.mark.django_db
    def test_field_engineer_edit_keeps_the_history_with_the_note(self):
        unit = EquipmentFactory(software_version="5.6.1", configuration={"hostname": "fw-01", "ha": True})
        client = logged_in(UserFactory(role=Role.FIELD_ENGINEER))
        data = {**self.form_data(unit), "software_version": "5.7.0",
                "configuration": '{"hostname": "fw-01", "ha": false}', "note": "Upgrade after CVE notice"}
        assert client.post(reverse("assets:equipment_edit", args=[unit.pk]), data).status_code == 302
        changes = {c.kind: c for c in EquipmentChange.objects.filter(equipment=unit)}
        assert changes["software"].before == "5.6.1" and changes["software"].after == "5.7.0"
        assert changes["software"].note == "Upgrade after CVE notice"
        assert changes["configuration"].after == {"hostname": "fw-01", "ha": False}
        text = page_text(client.get(unit.get_absolute_url()))
        assert "Upgrade after CVE notice" in text
        assert "5.6.1" in text and "5.7.0" in text
        assert "ha" in text

    @pytest.mark.django_db
    def test_detail_shows_warranty_configuration_and_qr_code(self):
        today = timezone.localdate()
        contract = ContractFactory(signed_on=today - datetime.timedelta(days=60),
                                   accepted_on=today - datetime.timedelta(days=30))
        unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer), accepted_on=None,
                                configuration={"hostname": "fw-core-01"})
        core = ComponentFactory(product=unit.product, name="核心主机", code="CORE")
        ComponentFactory(product=unit.product, name="风扇", code="FAN")
        item = ContractItemFactory(contract=contract, product=unit.product)
        WarrantyTermFactory(contract_item=item, months=24)
        WarrantyTermFactory(contract_item=item, component=core, months=72)
        response = logged_in(CustomerUserFactory(customer=contract.customer)).get(unit.get_absolute_url())
        assert response.status_code == 200
        rows = {row.label: row for row in response.context["coverage"]}
        assert rows["核心主机"].covered and rows["核心主机"].term.months == 72
        text = page_text(response)
        assert "In warranty" in text
        assert rows["核心主机"].until.isoformat() in text
        assert "&quot;hostname&quot;: &quot;fw-core-01&quot;" in text  # pretty JSON, escaped
        assert "<svg" in text  # the QR code, inline
        assert unit.serial in text

    @pytest.mark.django_db
    def test_list_filters_by_customer_and_product(self):
        first, second = EquipmentFactory(), EquipmentFactory()
        client = logged_in(UserFactory(role=Role.DISPATCHER))
        rows = client.get(reverse("assets:equipment_list"), {"customer": first.customer_id}).context["rows"]
        assert [row["object"] for row in rows] == [first]
        rows = client.get(reverse("assets:equipment_list"), {"product": second.product_id}).context["rows"]
        assert [row["object"] for row in rows] == [second]

    @pytest.mark.django_db
    def test_list_sorts_by_a_column(self):
        EquipmentFactory(serial="B-2")
        EquipmentFactory(serial="A-1")
        EquipmentFactory(serial="C-3")
        client = logged_in(UserFactory(role=Role.DISPATCHER))
        rows = client.get(reverse("assets:equipment_list"), {"sort": "-serial"}).context["rows"]
        assert [row["object"].serial for row in rows] == ["C-3", "B-2", "A-1"]
        rows = client.get(reverse("assets:equipment_list"), {"sort": "password"}).context["rows"]  # not a column
        assert len(rows) == 3


def overdue_unit(**kwargs):
    today = timezone.localdate()
    contract = ContractFactory(signed_on=today - datetime.timedelta(days=120), accepted_on=None)
    return EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer),
                            accepted_on=today - datetime.timedelta(days=60), **kwargs)


@pytest.mark.django_db
def test_overdue_cards_page_lists_units_without_a_card():
    late = overdue_unit()
    recent = EquipmentFactory(accepted_on=timezone.localdate() - datetime.timedelta(days=5))
    carded = overdue_unit()
    WarrantyCardFactory(equipment=carded)
    text = page_text(logged_in(UserFactory(role=Role.SALES)).get(reverse("assets:warranty_card_overdue")))
    assert late.serial in text
    assert recent.serial not in text
    assert carded.serial not in text


@pytest.mark.django_db
def test_issue_card_removes_the_unit_from_the_list():
    unit = overdue_unit()
    client = logged_in(UserFactory(role=Role.SALES))
    response = client.post(reverse("assets:warranty_card_issue", args=[unit.pk]),
                           {"number": "WC-2025-001", "issued_on": timezone.localdate().isoformat()}, follow=True)
    assert WarrantyCard.objects.get(equipment=unit).number == "WC-2025-001"
    assert "WC-2025-001" in page_text(response)  # the confirmation
    assert unit.serial not in [u.serial for u in response.context["units"]]


@pytest.mark.django_db
def test_issue_card_with_a_used_number_shows_the_error():
    WarrantyCardFactory(number="WC-TAKEN")
    unit = overdue_unit()
    client = logged_in(UserFactory(role=Role.SALES))
    response = client.post(reverse("assets:warranty_card_issue", args=[unit.pk]),
                           {"number": "WC-TAKEN", "issued_on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert "already used" in page_text(response)
    assert not WarrantyCard.objects.filter(equipment=unit).exists()


@pytest.mark.django_db
def test_overdue_cards_permissions():
    unit = overdue_unit()
    assert logged_in(UserFactory(role=Role.DISPATCHER)).post(
        reverse("assets:warranty_card_issue", args=[unit.pk]), {"number": "X1", "issued_on": "2025-06-01"}).status_code == 403
    assert logged_in(CustomerUserFactory()).post(
        reverse("assets:warranty_card_issue", args=[unit.pk]), {"number": "X1", "issued_on": "2025-06-01"}).status_code == 404
    assert not WarrantyCard.objects.exists()
    # A customer user sees only its own overdue units.
    own = CustomerUserFactory(customer=unit.customer)
    assert unit.serial in page_text(logged_in(own).get(reverse("assets:warranty_card_overdue")))
    assert unit.serial not in page_text(logged_in(CustomerUserFactory()).get(reverse("assets:warranty_card_overdue")))


@pytest.mark.django_db
def test_overdue_cards_query_count_does_not_grow(django_assert_max_num_queries):
    client = logged_in(UserFactory(role=Role.SALES))
    for _ in range(15):
        overdue_unit()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("assets:warranty_card_overdue")).status_code == 200


# ---------------------------------------------------------------- the unit's page: acceptance and card


def acceptance_cell(response) -> str:
    match = re.search(r'data-testid="acceptance">(.*?)</td>', response.content.decode())
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.django_db
def test_detail_shows_the_contract_acceptance_date_when_the_unit_has_none():
    contract = ContractFactory(number="HT-2025-0777", accepted_on=datetime.date(2025, 12, 7))
    unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer), accepted_on=None)
    response = logged_in(CustomerUserFactory(customer=contract.customer)).get(unit.get_absolute_url())
    assert acceptance_cell(response) == "2025-12-07 (from contract HT-2025-0777)"
    assert f'href="{contract.get_absolute_url()}"' in response.content.decode()


@pytest.mark.django_db
def test_detail_shows_the_units_own_acceptance_date_without_a_source():
    contract = ContractFactory(accepted_on=datetime.date(2025, 12, 7))
    unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer),
                            accepted_on=datetime.date(2026, 1, 15))
    response = logged_in(UserFactory(role=Role.SERVICE_DESK)).get(unit.get_absolute_url())
    assert acceptance_cell(response) == "2026-01-15"


@pytest.mark.django_db
def test_detail_says_not_accepted_and_offers_no_card_when_nothing_is_accepted():
    contract = ContractFactory(accepted_on=None)
    unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer), accepted_on=None)
    response = logged_in(UserFactory(role=Role.SALES)).get(unit.get_absolute_url())
    assert acceptance_cell(response) == "Not accepted yet"
    assert reverse("assets:warranty_card_issue", args=[unit.pk]) not in page_text(response)


@pytest.mark.django_db
def test_detail_in_chinese_names_the_contract_the_date_comes_from():
    contract = ContractFactory(number="HT-2025-0778", accepted_on=datetime.date(2025, 12, 7))
    unit = EquipmentFactory(contract=contract, site=SiteFactory(customer=contract.customer), accepted_on=None)
    response = logged_in(UserFactory(role=Role.SERVICE_MANAGER), language="zh-hans").get(unit.get_absolute_url())
    assert acceptance_cell(response) == "2025-12-07 (来自合同 HT-2025-0778)"


@pytest.mark.django_db
def test_issue_a_card_from_the_units_page():
    unit = overdue_unit()
    client = logged_in(UserFactory(role=Role.SALES))
    text = page_text(client.get(unit.get_absolute_url()))
    assert "Not issued yet" in text
    assert f'action="{reverse("assets:warranty_card_issue", args=[unit.pk])}"' in text
    assert 'name="next" value="equipment"' in text
    response = client.post(reverse("assets:warranty_card_issue", args=[unit.pk]),
                           {"number": "WC-2026-010", "issued_on": timezone.localdate().isoformat(),
                            "next": "equipment"}, follow=True)
    assert response.redirect_chain[-1][0] == unit.get_absolute_url()  # back on the unit's page
    text = page_text(response)
    assert "Warranty card WC-2026-010 issued" in text
    assert "WC-2026-010 · " in text  # the card row now shows the number and day
    assert "Not issued yet" not in text
    assert 'name="next" value="equipment"' not in text  # no second card offered


@pytest.mark.django_db
def test_a_refused_card_on_the_units_page_shows_why_and_writes_nothing():
    WarrantyCardFactory(number="WC-TAKEN")
    unit = overdue_unit()
    response = logged_in(UserFactory(role=Role.SALES)).post(
        reverse("assets:warranty_card_issue", args=[unit.pk]),
        {"number": "WC-TAKEN", "issued_on": timezone.localdate().isoformat(), "next": "equipment"}, follow=True)
    assert response.redirect_chain[-1][0] == unit.get_absolute_url()
    assert "Card number WC-TAKEN is already used." in page_text(response)
    assert not WarrantyCard.objects.filter(equipment=unit).exists()


@pytest.mark.django_db
def test_card_form_only_for_those_who_may_issue_cards():
    unit = overdue_unit()
    form_action = reverse("assets:warranty_card_issue", args=[unit.pk])
    for user in (UserFactory(role=Role.DISPATCHER), CustomerUserFactory(customer=unit.customer)):
        text = page_text(logged_in(user).get(unit.get_absolute_url()))
        assert "Not issued yet" in text
        assert form_action not in text
