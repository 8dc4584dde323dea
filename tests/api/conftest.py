from functools import cached_property

import pytest
from django.core.cache import cache

from aftersales.accounts.choices import Role
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    SiteFactory,
    UserFactory,
)


class Samples:
    """Related rows for a create payload, built on first use and consistent with each other:
    `samples.site` and `samples.contract` belong to `samples.customer`."""

    @cached_property
    def customer(self):
        return CustomerFactory()

    @cached_property
    def site(self):
        return SiteFactory(customer=self.customer)

    @cached_property
    def contract(self):
        return ContractFactory(customer=self.customer)

    @cached_property
    def product(self):
        return ProductFactory()

    @cached_property
    def sales_user(self):
        return UserFactory(role=Role.SALES)


@pytest.fixture
def samples(db):
    return Samples()


@pytest.fixture(autouse=True)
def empty_cache(db):
    """Rate-limit counters live in the cache; one test's writes must not spend the next one's budget."""
    cache.clear()
    yield
    cache.clear()
