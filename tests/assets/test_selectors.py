"""Warranty reads: coverage per component, overdue warranty cards, warranties ending soon."""

import datetime

import pytest
from django.utils import translation

from aftersales.accounts.choices import Role
from aftersales.assets.selectors import (
    equipment_coverage,
    equipment_for_user,
    warranties_ending,
    warranty_cards_overdue,
)
from tests.assets.warranty_data import firewall_with_warranty
from tests.factories import CustomerUserFactory, EquipmentFactory, SiteFactory, WarrantyCardFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def as_table(rows):
    return [(row.label, row.component_code, row.covered, row.until) for row in rows]


def test_coverage_rows_in_the_first_month():
    setup = firewall_with_warranty()
    with translation.override("en"):
        rows = equipment_coverage(equipment=setup.unit, on=D(2024, 4, 1))
    assert as_table(rows) == [
        ("Whole system", None, True, D(2026, 3, 14)),
        ("核心主机", "CORE", True, D(2030, 3, 14)),
        ("电源模块", "PSU", True, D(2026, 3, 14)),
    ]
    assert [row.term for row in rows] == [setup.whole_system, setup.core_term, setup.whole_system]
    with translation.override("zh-hans"):
        assert equipment_coverage(equipment=setup.unit, on=D(2024, 4, 1))[0].label == translation.gettext("Whole system")


@pytest.mark.parametrize(
    ("on", "whole", "core", "psu"),
    [
        (D(2024, 3, 14), False, False, False),  # the day before acceptance
        (D(2026, 3, 14), True, True, True),  # the last day of the 24 months
        (D(2026, 3, 15), False, True, False),
        (D(2029, 3, 15), False, True, False),  # month 60
        (D(2030, 3, 14), False, True, False),
        (D(2030, 3, 15), False, False, False),
    ],
)
def test_coverage_rows_over_the_years(on, whole, core, psu):
    setup = firewall_with_warranty()
    rows = equipment_coverage(equipment=setup.unit, on=on)
    assert [row.covered for row in rows] == [whole, core, psu]


def test_coverage_starts_at_the_contract_acceptance_when_the_unit_has_none(django_assert_max_num_queries):
    setup = firewall_with_warranty()
    setup.unit.accepted_on = None
    setup.unit.save()
    setup.contract.accepted_on = D(2024, 6, 1)
    setup.contract.save()
    unit = type(setup.unit).objects.get(pk=setup.unit.pk)
    with django_assert_max_num_queries(3):
        rows = equipment_coverage(equipment=unit, on=D(2026, 5, 31))
    assert rows[0].covered and rows[0].until == D(2026, 5, 31)
    assert rows[0].starts == D(2024, 6, 1)


def test_coverage_takes_two_queries(django_assert_max_num_queries):
    setup = firewall_with_warranty()
    unit = type(setup.unit).objects.get(pk=setup.unit.pk)
    with django_assert_max_num_queries(2):
        rows = equipment_coverage(equipment=unit, on=D(2025, 1, 1))
    assert len(rows) == 3


def test_unit_without_contract_or_acceptance_is_not_covered():
    unit = EquipmentFactory(contract=None, accepted_on=None)
    rows = equipment_coverage(equipment=unit, on=D(2025, 6, 1))
    assert [(row.covered, row.until, row.term) for row in rows] == [(False, None, None)]


def test_other_contracts_terms_do_not_apply():
    setup = firewall_with_warranty()
    # The same product on another contract of the same customer, without terms.
    other = firewall_with_warranty(customer=setup.unit.customer, product=setup.unit.product)
    plain_unit = EquipmentFactory(product=setup.unit.product, site=setup.unit.site, accepted_on=D(2024, 3, 15))
    assert equipment_coverage(equipment=other.unit, on=D(2025, 1, 1))[0].covered
    assert not equipment_coverage(equipment=plain_unit, on=D(2025, 1, 1))[0].covered


# --- warranty cards overdue ------------------------------------------------------------

TODAY = D(2025, 6, 10)


def test_overdue_cards_for_a_customer_user():
    site = SiteFactory()
    user = CustomerUserFactory(customer=site.customer)
    overdue = EquipmentFactory(site=site, accepted_on=D(2025, 4, 1))
    EquipmentFactory(site=site, accepted_on=D(2025, 5, 31))  # accepted ten days ago
    carded = EquipmentFactory(site=site, accepted_on=D(2025, 3, 1))
    WarrantyCardFactory(equipment=carded)
    EquipmentFactory(site=site, accepted_on=None, contract=None)  # never accepted
    EquipmentFactory(accepted_on=D(2025, 1, 1))  # another customer's unit

    assert list(warranty_cards_overdue(user=user, today=TODAY)) == [overdue]


def test_card_is_overdue_only_after_its_due_day():
    site = SiteFactory()
    staff = CustomerUserFactory(customer=site.customer)
    due_today = EquipmentFactory(site=site, accepted_on=D(2025, 5, 10))  # due 2025-06-10
    due_yesterday = EquipmentFactory(site=site, accepted_on=D(2025, 5, 9))
    result = list(warranty_cards_overdue(user=staff, today=TODAY))
    assert due_yesterday in result
    assert due_today not in result


def test_contract_acceptance_counts_for_units_without_their_own(make_user):
    unit = EquipmentFactory(accepted_on=None)  # the factory's contract was accepted 2025-03-01
    staff = make_user(Role.SERVICE_DESK)
    assert list(warranty_cards_overdue(user=staff, today=TODAY)) == [unit]


def test_overdue_cards_list_has_bounded_queries(make_user, django_assert_max_num_queries):
    site = SiteFactory()
    for _ in range(5):
        EquipmentFactory(site=site, accepted_on=D(2025, 1, 1))
    staff = make_user(Role.SERVICE_DESK)
    with django_assert_max_num_queries(1):
        units = list(warranty_cards_overdue(user=staff, today=TODAY))
        labels = [f"{u.product.model} {u.site.name} {u.customer.name}" for u in units]
    assert len(labels) == 5


# --- warranties ending -------------------------------------------------------------------

def test_warranties_ending_lists_the_users_units_soonest_first(make_user):
    first = firewall_with_warranty(accepted_on=D(2024, 3, 15))  # whole system ends 2026-03-14
    second = firewall_with_warranty(accepted_on=D(2024, 2, 1), customer=first.unit.customer)  # ends 2026-01-31
    firewall_with_warranty(accepted_on=D(2024, 8, 1))  # another customer, ends 2026-07-31
    customer_user = CustomerUserFactory(customer=first.unit.customer)

    rows = warranties_ending(user=customer_user, today=D(2026, 1, 1), within_days=90)
    assert [(r.equipment, r.term, r.ends_on, r.days_left) for r in rows] == [
        (second.unit, second.whole_system, D(2026, 1, 31), 30),
        (first.unit, first.whole_system, D(2026, 3, 14), 72),
    ]
    assert warranties_ending(user=customer_user, today=D(2026, 3, 15)) == []


def test_warranties_ending_includes_component_terms(make_user):
    setup = firewall_with_warranty()
    rows = warranties_ending(user=make_user(Role.SALES), today=D(2030, 3, 1), within_days=30)
    assert [(r.term, r.ends_on) for r in rows] == [(setup.core_term, D(2030, 3, 14))]


def test_warranties_ending_query_count_does_not_grow_with_units(make_user, django_assert_max_num_queries):
    first = firewall_with_warranty()
    for n in range(6):
        firewall_with_warranty(customer=first.unit.customer, contract=first.contract,
                               product=first.unit.product, serial=f"BULK{n}")
    staff = make_user(Role.SALES)
    with django_assert_max_num_queries(2):
        rows = warranties_ending(user=staff, today=D(2026, 1, 1))
        owners = {r.equipment.contract.sales_owner.email for r in rows}
        names = {(r.equipment.product.model, r.equipment.customer.name, r.term.months) for r in rows}
    assert len(rows) == 7
    assert owners == {"sales.zhang@example.com"}
    assert len(names) == 1


def test_equipment_for_user_hides_other_customers_units():
    mine, theirs = EquipmentFactory(), EquipmentFactory()
    user = CustomerUserFactory(customer=mine.customer)
    assert list(equipment_for_user(user=user)) == [mine]
    assert theirs not in equipment_for_user(user=user)
