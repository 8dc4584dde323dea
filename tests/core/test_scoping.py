"""One scoping rule: a customer user sees only its own customer's rows; staff see all."""

import pytest
from django.http import Http404

from aftersales.accounts.choices import Role
from aftersales.assets.models import Equipment, Product
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers.models import Contact, Customer, Site
from tests.factories import ContactFactory, EquipmentFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers():
    mine, theirs = EquipmentFactory(), EquipmentFactory()
    ContactFactory(customer=mine.customer)
    ContactFactory(customer=theirs.customer)
    return mine, theirs


@pytest.mark.parametrize("model", [Customer, Site, Contact, Equipment])
def test_customer_user_sees_only_its_own_organisation(make_user, two_customers, model):
    mine, theirs = two_customers
    user = make_user(Role.CUSTOMER, customer=mine.customer)
    visible = scoped(model.objects.all(), user)
    assert visible.count() == 1
    owner_ids = {getattr(obj, "customer_id", getattr(obj, "pk", None)) for obj in visible}
    assert owner_ids == {mine.customer_id}


def test_another_customers_object_is_not_found(make_user, two_customers):
    mine, theirs = two_customers
    user = make_user(Role.CUSTOMER, customer=mine.customer)
    assert get_scoped_or_404(Equipment.objects.all(), user, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_scoped_or_404(Equipment.objects.all(), user, pk=theirs.pk)


def test_staff_see_every_customer(make_user, two_customers):
    user = make_user(Role.SERVICE_DESK)
    assert scoped(Equipment.objects.all(), user).count() == 2


def test_the_product_catalog_is_shared(make_user, two_customers):
    ProductFactory()
    user = make_user(Role.CUSTOMER, customer=two_customers[0].customer)
    assert scoped(Product.objects.all(), user).count() == Product.objects.count() == 3


def test_anonymous_and_inactive_users_see_nothing(make_user, two_customers):
    from django.contrib.auth.models import AnonymousUser

    assert scoped(Customer.objects.all(), AnonymousUser()).count() == 0
    inactive = make_user(Role.ADMINISTRATOR, is_active=False)
    assert scoped(Customer.objects.all(), inactive).count() == 0
