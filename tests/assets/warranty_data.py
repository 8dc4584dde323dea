"""Shared test data for warranty tests: a firewall with a 24-month whole-system and a
72-month core-unit warranty, accepted on 2024-03-15, sold by a sales owner."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from aftersales.accounts.choices import Role
from aftersales.assets.models import Component, Equipment, WarrantyTerm
from aftersales.customers.models import Contract
from tests.factories import (
    ComponentFactory,
    ContractFactory,
    ContractItemFactory,
    EquipmentFactory,
    ProductFactory,
    SiteFactory,
    UserFactory,
    WarrantyTermFactory,
)

ACCEPTED = datetime.date(2024, 3, 15)


@dataclass
class WarrantySetup:
    unit: Equipment
    contract: Contract
    whole_system: WarrantyTerm
    core_term: WarrantyTerm
    core: Component
    power_supply: Component


def firewall_with_warranty(*, accepted_on=ACCEPTED, customer=None, sales_owner="default", serial=None,
                           contract=None, product=None) -> WarrantySetup:
    if sales_owner == "default":
        sales_owner = UserFactory(role=Role.SALES, email="sales.zhang@example.com")
    site = SiteFactory(**({"customer": customer} if customer else {}))
    if product is None:
        product = ProductFactory()
        ComponentFactory(product=product, code="CORE", name="核心主机", is_core=True)
        ComponentFactory(product=product, code="PSU", name="电源模块", is_core=False)
    core = product.components.get(code="CORE")
    power_supply = product.components.get(code="PSU")
    if contract is None:
        contract = ContractFactory(customer=site.customer, signed_on=datetime.date(2023, 1, 1),
                                   accepted_on=accepted_on, sales_owner=sales_owner)
        item = ContractItemFactory(contract=contract, product=product)
        WarrantyTermFactory(contract_item=item, component=None, months=24)
        WarrantyTermFactory(contract_item=item, component=core, months=72)
    item = contract.items.get(product=product)
    extra = {"serial": serial} if serial else {}
    unit = EquipmentFactory(product=product, site=site, contract=contract, accepted_on=accepted_on, **extra)
    return WarrantySetup(
        unit=unit, contract=contract,
        whole_system=item.warranty_terms.get(component__isnull=True),
        core_term=item.warranty_terms.get(component=core),
        core=core, power_supply=power_supply,
    )
