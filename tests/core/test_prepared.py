"""Hot reads compiled once per process give exactly the rows and objects the ORM gives, and
keep the customer scoping."""

import pytest

from aftersales.accounts.choices import Role
from aftersales.assets.models import Equipment
from aftersales.core.prepared import PreparedQuery, PreparedQueryError
from aftersales.core.scoping import ScopedGet
from aftersales.customers.models import Customer
from tests.factories import ContractFactory, CustomerFactory, EquipmentFactory

pytestmark = pytest.mark.django_db

UNITS = Equipment.objects.select_related("contract", "customer", "site")


def fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_objects_are_those_the_orm_builds_related_ones_included():
    contract = ContractFactory(sla_policy={"L1": {"respond": {"minutes": 10, "business_time": True}}})
    unit = EquipmentFactory(customer=contract.customer, contract=contract, configuration={"固件": "v2.1"})
    prepared = PreparedQuery(lambda pk: UNITS.filter(pk=pk).order_by())

    got, expected = prepared.first(unit.pk), UNITS.get(pk=unit.pk)

    assert fields(got) == fields(expected)
    assert got.configuration == {"固件": "v2.1"} and got.created_at.tzinfo is not None
    assert fields(got.contract) == fields(expected.contract) and got.contract.sla_policy["L1"]["respond"]["minutes"] == 10
    assert fields(got.customer) == fields(expected.customer) and fields(got.site) == fields(expected.site)
    assert not got._state.adding and got._state.db == "default"


def test_objects_read_with_some_columns_defer_the_rest_as_the_orm_does():
    """The create's unit look-up reads a few columns of four tables: the objects must load
    the others on access, hold the related objects (None for a missing contract), and say
    the same fields are deferred as the ORM's objects."""
    unit = EquipmentFactory(contract=None, serial="SN-PREP-1")
    query = (Equipment.objects.select_related("contract", "customer", "site")
             .only("serial", "site__name", "customer__name", "contract__number").order_by())
    prepared = PreparedQuery(lambda pk: query.filter(pk=pk))

    got, expected = prepared.first(unit.pk), query.get(pk=unit.pk)

    assert got.get_deferred_fields() == expected.get_deferred_fields() and "location" not in got.__dict__
    assert got.customer.get_deferred_fields() == expected.customer.get_deferred_fields()
    assert got.serial == "SN-PREP-1" and got.contract is None and got.site.name == unit.site.name
    assert got.customer.code == unit.customer.code  # a deferred field, loaded on access
    assert not got.customer._state.adding and got.customer._state.db == "default"


def test_new_values_are_bound_each_time_and_a_missing_row_is_none():
    first, second = CustomerFactory(name="甲"), CustomerFactory(name="乙")
    by_code = PreparedQuery(lambda code: Customer.objects.filter(code=code).order_by())
    assert by_code.first(first.code).name == "甲"
    assert by_code.first(second.code).name == "乙"
    assert by_code.first("no such code") is None


def test_annotations_come_back_as_attributes_with_new_values_each_time():
    from django.db.models import IntegerField, Value
    from django.db.models.functions import Length

    CustomerFactory(name="上海测试银行", code="AN-1")
    prepared = PreparedQuery(lambda code, bonus: Customer.objects.filter(code=code).order_by().annotate(
        name_length=Length("name"), bonus=Value(bonus, output_field=IntegerField())))
    assert (prepared.first("AN-1", 5).name_length, prepared.first("AN-1", 5).bonus) == (6, 5)
    assert prepared.first("AN-1", 9).bonus == 9


def test_arguments_it_cannot_place_are_refused_at_first_use():
    with pytest.raises(PreparedQueryError, match="int or str"):
        PreparedQuery(lambda when: Customer.objects.filter(created_at__lt=when)).first(object())
    twice = PreparedQuery(lambda pk: Customer.objects.filter(pk=pk) | Customer.objects.filter(pk=pk))
    with pytest.raises(PreparedQueryError, match="appears 2 times"):
        twice.first(1)


def test_scoped_get_finds_another_customers_row_for_staff_only(make_user):
    mine, theirs = EquipmentFactory(), EquipmentFactory()
    getter = ScopedGet(UNITS)
    staff = make_user(Role.SERVICE_DESK)
    customer_user = make_user(Role.CUSTOMER, customer=mine.customer)

    assert getter.get(staff, theirs.pk).pk == theirs.pk
    assert getter.get(customer_user, mine.pk).pk == mine.pk
    assert getter.get(customer_user, theirs.pk) is None
    assert ScopedGet(Customer.objects.all()).get(customer_user, theirs.customer_id) is None
    assert ScopedGet(Customer.objects.all()).get(customer_user, mine.customer_id).pk == mine.customer_id
