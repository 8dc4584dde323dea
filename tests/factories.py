"""factory_boy factories for every archive model; tests build data with these."""

import datetime

import factory
from factory.django import DjangoModelFactory

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.assets.models import Component, Equipment, Product, WarrantyCard, WarrantyTerm
from aftersales.customers.models import Contact, Contract, ContractItem, Customer, Site


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"CUST{n:04d}")
    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    region = "east"
    tier = "normal"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.SERVICE_DESK
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_after_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class CustomerUserFactory(UserFactory):
    role = Role.CUSTOMER
    customer = factory.SubFactory(CustomerFactory)


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"站点{n}")
    address = factory.Sequence(lambda n: f"上海市浦东新区张江路{n}号")
    city = "上海"
    latitude = "31.200000"
    longitude = "121.500000"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example.com")


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"HT-2025-{n:04d}")
    title = "设备采购及售后服务合同"
    signed_on = datetime.date(2025, 1, 10)
    accepted_on = datetime.date(2025, 3, 1)
    service_calendar = "5x8"
    performance_deposit = "50000.00"


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    model = factory.Sequence(lambda n: f"NGFW-{n:03d}")
    name = "下一代防火墙"
    category = "network_security"
    manufacturer = "示例科技"


class ComponentFactory(DjangoModelFactory):
    class Meta:
        model = Component

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"CMP{n}")
    name = "核心主机"
    is_core = True


class ContractItemFactory(DjangoModelFactory):
    class Meta:
        model = ContractItem

    contract = factory.SubFactory(ContractFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


class WarrantyTermFactory(DjangoModelFactory):
    class Meta:
        model = WarrantyTerm

    contract_item = factory.SubFactory(ContractItemFactory)
    component = None
    months = 24


class EquipmentFactory(DjangoModelFactory):
    class Meta:
        model = Equipment

    product = factory.SubFactory(ProductFactory)
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    site = factory.SubFactory(SiteFactory)
    contract = factory.LazyAttribute(lambda e: ContractFactory(customer=e.site.customer))
    accepted_on = datetime.date(2025, 3, 1)
    software_version = "5.6.1"
    configuration = factory.LazyFunction(lambda: {"hostname": "fw-01", "ha": True})


class WarrantyCardFactory(DjangoModelFactory):
    class Meta:
        model = WarrantyCard

    equipment = factory.SubFactory(EquipmentFactory)
    number = factory.Sequence(lambda n: f"WC{n:06d}")
    issued_on = datetime.date(2025, 3, 15)


# -- tickets (service requests) --------------------------------------------------------------


class ServiceGroupFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.ServiceGroup"

    name = factory.Sequence(lambda n: f"Hotline {n}")


class TicketFactory(DjangoModelFactory):
    """A bare ticket row without targets; tests of clocks create tickets through
    `aftersales.tickets.services.ticket_create` instead."""

    class Meta:
        model = "tickets.Ticket"

    number = factory.Sequence(lambda n: f"SR-2025-{n + 900000:06d}")
    customer = factory.SubFactory(CustomerFactory)
    channel = "phone"
    category = "fault"
    impact = "core"
    level = "L4"
    subject = factory.Sequence(lambda n: f"防火墙无法登录 {n}")
    clock_started_at = factory.LazyFunction(lambda: datetime.datetime(2025, 3, 3, 2, 0, tzinfo=datetime.UTC))


class RoutingRuleFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.RoutingRule"

    group = factory.SubFactory(ServiceGroupFactory)
    priority = 100
