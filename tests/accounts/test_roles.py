"""Roles decide permissions; customer users belong to exactly one customer."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (Role.ADMINISTRATOR, "customers.delete_customer", True),
        (Role.ADMINISTRATOR, "core.view_auditlog", True),
        (Role.SERVICE_MANAGER, "assets.change_equipment", True),
        (Role.SERVICE_MANAGER, "core.view_auditlog", False),
        (Role.SALES, "customers.add_contract", True),
        (Role.SALES, "customers.delete_customer", False),
        (Role.FIELD_ENGINEER, "assets.change_equipment", True),
        (Role.FIELD_ENGINEER, "customers.change_contract", False),
        (Role.SERVICE_DESK, "customers.add_contact", True),
        (Role.SERVICE_DESK, "customers.add_customer", False),
        (Role.VICE_PRESIDENT, "customers.view_contract", True),
        (Role.VICE_PRESIDENT, "customers.change_contract", False),
        (Role.WAREHOUSE, "assets.add_product", True),
        (Role.CUSTOMER, "assets.view_equipment", True),
        (Role.CUSTOMER, "assets.change_equipment", False),
        (Role.CUSTOMER, "customers.add_site", False),
    ],
)
def test_role_permissions(make_user, role, perm, allowed):
    assert make_user(role).has_perm(perm) is allowed


def test_every_role_can_be_created_and_only_administrators_reach_the_admin(make_user):
    for role in Role:
        user = make_user(role)
        assert user.is_staff is (role == Role.ADMINISTRATOR)


def test_inactive_user_has_no_permissions(make_user):
    user = make_user(Role.SERVICE_MANAGER, is_active=False)
    assert not user.has_perm("customers.view_customer")


def test_customer_user_without_customer_is_refused():
    user = User(username="lonely", role=Role.CUSTOMER)
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert "customer" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lonely", role=Role.CUSTOMER)


def test_staff_user_cannot_belong_to_a_customer():
    user = User(username="agent", role=Role.SERVICE_DESK, customer=CustomerFactory())
    with pytest.raises(ValidationError):
        user.full_clean()


def test_weak_passwords_are_refused_by_the_validators():
    from django.contrib.auth.password_validation import validate_password

    user = User(username="zhangwei")
    for weak in ["12345678901", "password123", "zhangwei2026", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("blue-kettle-on-a-quiet-hill", user)


def test_a_permission_of_the_role_is_answered_without_reading_individual_grants(db, django_assert_num_queries):
    user = User.objects.create(username="desk-perm", role=Role.SERVICE_DESK)
    user = User.objects.get(pk=user.pk)  # fresh: no permission cache
    with django_assert_num_queries(0):
        assert user.has_perm("tickets.add_ticket")
    with django_assert_num_queries(2):  # not in the role: individual and group grants are read
        assert not user.has_perm("customers.delete_customer")
