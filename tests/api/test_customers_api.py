"""The customers app's API resources, through the generic CRUD case."""

from aftersales.accounts.choices import Role
from aftersales.core.testing import ApiCrudCase
from aftersales.customers.models import Contact, Contract, Customer, Site
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    CustomerUserFactory,
    EquipmentFactory,
    SiteFactory,
    UserFactory,
)


class TestCustomerApi(ApiCrudCase):
    url = "/api/v1/customers"
    model = Customer
    factory = CustomerFactory
    update_data = {"name": "浦东新客户有限公司", "tier": "key"}
    bad_data = [({"code": "has space"}, "code"), ({"name": ""}, "name"), ({"region": "mars"}, "region"),
                ({"tier": "gold"}, "tier")]
    bad_update_data = [({"region": "mars"}, "region"), ({"code": ""}, "code")]
    filters = [({"q": "Pudong"}, {"name": "Pudong Power Ltd"}), ({"tier": "key"}, {"tier": "key"}),
               ({"region": "south"}, {"region": "south"})]

    def create_data(self, samples):
        return {"code": "SH-PD-01", "name": "上海浦东电力有限公司", "tier": "key", "region": "east",
                "address": "上海市浦东新区世纪大道1号", "notes": "重点客户"}

    def bad_create_data(self, samples):
        return [*self.bad_data, ({"code": samples.customer.code}, "code")]

    def make_owned(self, customer):
        return customer

    def make_protector(self, customer):
        return SiteFactory(customer=customer)


class TestSiteApi(ApiCrudCase):
    url = "/api/v1/sites"
    model = Site
    factory = SiteFactory
    update_data = {"name": "浦东数据中心二期", "latitude": 31.25}
    bad_data = [({"latitude": 200}, "latitude"), ({"longitude": -181}, "longitude"), ({"name": ""}, "name"),
                ({"customer_id": 987654321}, "customer_id"), ({"latitude": "north"}, "latitude")]
    bad_update_data = [({"latitude": 91}, "latitude"), ({"name": ""}, "name")]

    def create_data(self, samples):
        return {"customer_id": samples.customer.id, "name": "浦东数据中心", "address": "上海市浦东新区张江路 88 号",
                "city": "上海", "latitude": 31.2, "longitude": 121.5}

    def filter_cases(self, samples):
        return [({"q": "Pudong"}, {"name": "Pudong DC"}), ({"city": "北京"}, {"city": "北京市"}),
                ({"customer": str(samples.customer.pk)}, {"customer": samples.customer})]

    def make_protector(self, site):
        return EquipmentFactory(site=site)


class TestContactApi(ApiCrudCase):
    url = "/api/v1/contacts"
    model = Contact
    factory = ContactFactory
    update_data = {"phone": "021-55550000", "is_primary": True}
    bad_update_data = [({"email": "not-an-address"}, "email")]

    def create_data(self, samples):
        return {"customer_id": samples.customer.id, "site_id": samples.site.id, "name": "王建国", "title": "IT 主管",
                "phone": "13800001111", "email": "wang@example.com", "is_primary": True}

    def bad_create_data(self, samples):
        return [({"email": "not-an-address"}, "email"), ({"phone": "", "email": ""}, "phone"), ({"name": ""}, "name"),
                ({"site_id": SiteFactory().id}, "site_id")]

    def filter_cases(self, samples):
        return [({"q": "Wang Jianguo"}, {"name": "Wang Jianguo"}),
                ({"site": str(samples.site.pk)}, {"customer": samples.customer, "site": samples.site})]


class TestContractApi(ApiCrudCase):
    url = "/api/v1/contracts"
    model = Contract
    factory = ContractFactory
    update_data = {"status": "expired", "ends_on": "2027-12-31", "performance_deposit": "60000.00"}
    bad_data = [({"number": "HT 01"}, "number"), ({"signed_on": "2025-03-01", "accepted_on": "2025-01-01"}, "accepted_on"),
                ({"performance_deposit": "-1"}, "performance_deposit"), ({"status": "bogus"}, "status"),
                ({"signed_on": "yesterday"}, "signed_on"), ({"service_calendar": "24x7"}, "service_calendar")]
    bad_update_data = [({"ends_on": "2020-01-01"}, "ends_on"), ({"deposit_currency": "GBP"}, "deposit_currency")]
    filters = [({"q": "HT-SPECIAL"}, {"number": "HT-SPECIAL-01"}), ({"status": "expired"}, {"status": "expired"}),
               ({"service_calendar": "7x24"}, {"service_calendar": "7x24"}),
               ({"signed_after": "2026-01-01"}, {"signed_on": "2026-02-01"})]

    def create_data(self, samples):
        return {"customer_id": samples.customer.id, "number": "HT-2025-NEW-01", "title": "防火墙采购及三年维保合同",
                "status": "active", "signed_on": "2025-02-01", "accepted_on": "2025-03-01", "ends_on": "2028-02-01",
                "service_calendar": "7x24", "performance_deposit": "80000.00", "deposit_currency": "CNY",
                "sales_owner_id": samples.sales_user.id}

    def bad_create_data(self, samples):
        return [*self.bad_data, ({"sales_owner_id": CustomerUserFactory().id}, "sales_owner_id")]

    def make_protector(self, contract):
        return EquipmentFactory(site=SiteFactory(customer=contract.customer), contract=contract)


def test_a_read_only_role_is_really_read_only_for_contracts_too(make_user):
    # The generic case uses the vice-president as its read-only role; make sure the roles table
    # agrees, so a change there shows up here and not as mysteriously passing 403 tests.
    reader = make_user(Role.VICE_PRESIDENT)
    assert reader.has_perm("customers.view_contract")
    assert not reader.has_perm("customers.add_contract")
    assert UserFactory(role=Role.SERVICE_MANAGER).has_perm("customers.delete_contract")
