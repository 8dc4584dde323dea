import pytest

from aftersales.accounts.choices import Role
from tests.factories import CustomerUserFactory, EquipmentFactory, SiteFactory
from tests.tickets.conftest import agent, china_calendar, create  # noqa: F401 - fixtures shared with the tickets tests


@pytest.fixture
def customer_user(db):
    """A customer user (Zhang Wei) of a customer with two sites and a unit at each."""
    return CustomerUserFactory(username="zhangwei", first_name="Wei", last_name="Zhang", email="zhang@metro.example.com")


@pytest.fixture
def own_units(customer_user):
    site = SiteFactory(customer=customer_user.customer, name="徐家汇机房")
    other_site = SiteFactory(customer=customer_user.customer, name="莘庄机房")
    return [EquipmentFactory(site=site, serial="SN-OWN-001"), EquipmentFactory(site=other_site, serial="SN-OWN-002")]


@pytest.fixture
def theirs(db):
    """Another customer's unit (and through it, its site and customer)."""
    return EquipmentFactory(serial="SN-THEIRS-001")


@pytest.fixture
def staff(make_user):
    return make_user(Role.SERVICE_DESK, username="desk")
