"""`aftersales seed_demo` and `aftersales demo_logins`: deterministic, realistic, idempotent."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.assets.models import Component, Equipment, Product, WarrantyCard, WarrantyTerm
from aftersales.core import demo
from aftersales.core.models import AuditLog
from aftersales.customers.models import Contact, Contract, ContractItem, Customer, Site
from tests.factories import UserFactory

ARCHIVE_MODELS = [Customer, Site, Contact, Contract, ContractItem, Product, Component, WarrantyTerm, Equipment,
                  WarrantyCard]


def seed(customers=3) -> str:
    out = io.StringIO()
    call_command("seed_demo", customers=customers, force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in [*ARCHIVE_MODELS, get_user_model()]}


@pytest.mark.django_db
def test_every_role_gets_a_demo_user_who_logs_in_with_the_documented_password():
    seed()
    User = get_user_model()
    for spec in demo.DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.role == spec.role
        assert Client().login(username=spec.username, password=f"demo-{spec.username}-2026"), spec.username
    assert {u.role for u in User.objects.all()} == set(Role)


@pytest.mark.django_db
def test_customer1_and_customer2_belong_to_different_customers_and_see_only_their_own():
    seed()
    User = get_user_model()
    first, second = User.objects.get(username="customer1"), User.objects.get(username="customer2")
    assert first.customer is not None and second.customer is not None
    assert first.customer != second.customer
    client = Client()
    client.login(username="customer1", password="demo-customer1-2026")
    own_site = Site.objects.filter(customer=first.customer).first()
    other_site = Site.objects.filter(customer=second.customer).first()
    assert client.get(f"/api/v1/sites/{own_site.pk}").status_code == 200
    assert client.get(f"/api/v1/sites/{other_site.pk}").status_code == 404


@pytest.mark.django_db
def test_running_twice_adds_nothing_and_fails_on_nothing():
    first_output = seed()
    before = counts()
    second_output = seed()

    assert counts() == before
    assert "nothing new" in second_output and "nothing new" not in first_output
    assert AuditLog.objects.filter(object_type="core.demo", object_id="seed_demo").count() == 1


@pytest.mark.django_db
def test_a_bigger_seed_completes_a_smaller_one_without_duplicates():
    seed(customers=2)
    serials_before = set(Equipment.objects.values_list("serial", flat=True))
    seed(customers=3)
    assert Customer.objects.count() == 3
    assert serials_before < set(Equipment.objects.values_list("serial", flat=True))


@pytest.mark.django_db
def test_seeded_rows_pass_model_validation():
    seed()
    for model in ARCHIVE_MODELS:
        rows = list(model.objects.all())
        assert rows, model.__name__
        for row in rows:
            row.full_clean()
    for user in get_user_model().objects.all():
        user.full_clean()


@pytest.mark.django_db
def test_the_demo_always_shows_warranties_ending_soon_and_overdue_cards():
    seed()
    today = timezone.localdate()
    window_start = demo.add_months(today, -24)
    ending_soon = Equipment.objects.filter(
        accepted_on__gt=window_start, accepted_on__lte=window_start + datetime.timedelta(days=90),
        contract__items__warranty_terms__component=None, contract__items__warranty_terms__months=24,
    )
    assert ending_soon.exists()
    overdue = Equipment.objects.filter(warranty_card__isnull=True, accepted_on__lt=today - datetime.timedelta(days=30))
    assert overdue.exists()
    assert WarrantyCard.objects.count() > overdue.count()  # most units do have their card
    assert not Equipment.objects.filter(accepted_on__gt=today).exists()


def test_generation_is_deterministic_and_a_small_seed_is_the_start_of_a_big_one():
    today = datetime.date(2026, 11, 1)

    def snapshot(customers):
        products, components = demo.catalog()
        data = demo.generate(customers=customers, today=today, products={p.model: p for p in products},
                             components={(c.product.model, c.code): c for c in components})
        return ([(c.code, c.name, c.region, c.tier) for c in data.customers], [(s.customer.code, s.name) for s in data.sites],
                [(c.number, c.signed_on) for c in data.contracts], [(e.serial, e.accepted_on) for e in data.equipment])

    small, again, big = snapshot(3), snapshot(3), snapshot(5)
    assert small == again
    for part_small, part_big in zip(small, big, strict=True):
        assert part_big[: len(part_small)] == part_small


@pytest.mark.django_db
def test_the_full_demo_has_realistic_proportions():
    output = seed(customers=demo.DEFAULT_CUSTOMERS)
    assert "customers: 50 (50 new)" in output
    assert Customer.objects.filter(tier="key").count() == 10
    assert Customer.objects.values("region").distinct().count() == 10
    assert 150 <= Site.objects.count() <= 250
    assert 55 <= Contract.objects.count() <= 65
    assert {c.service_calendar for c in Contract.objects.all()} == {"5x8", "7x24"}
    assert 1500 <= Equipment.objects.count() <= 2500
    assert Product.objects.count() == 12
    assert set(WarrantyTerm.objects.values_list("months", flat=True)) >= {24, 72, 60, 36}
    assert all("有限公司" in name for name in Customer.objects.values_list("name", flat=True))
    assert len(set(Customer.objects.values_list("name", flat=True))) == 50
    # sales owners are the demo sales users
    assert set(Contract.objects.values_list("sales_owner__username", flat=True)) == {"sales", "sales2", "sales3"}


@pytest.mark.django_db
def test_an_existing_account_with_a_demo_name_is_left_alone():
    UserFactory(username="admin", role=Role.SERVICE_MANAGER)
    seed()
    admin = get_user_model().objects.get(username="admin")
    assert admin.role == Role.SERVICE_MANAGER
    assert admin.check_password("correct horse battery staple")


@pytest.mark.django_db
def test_seeding_is_refused_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", customers=3)
    assert Customer.objects.count() == 0
    with pytest.raises(CommandError, match="between 2 and 999"):
        call_command("seed_demo", customers=1, force=True)


@pytest.mark.django_db
def test_demo_logins_prints_the_url_and_every_account():
    seed()
    out = io.StringIO()
    call_command("demo_logins", url="http://demo.local:8000/", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "Open http://demo.local:8000/ and log in as:"
    for spec in demo.DEMO_USERS:
        assert f"demo-{spec.username}-2026" in text
    customer1 = get_user_model().objects.get(username="customer1")
    assert customer1.customer.code in text


def test_documented_passwords_pass_the_configured_validators():
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    for spec in demo.DEMO_USERS:
        validate_password(spec.password, User(username=spec.username, first_name=spec.first_name,
                                              last_name=spec.last_name, email=f"{spec.username}@{demo.DEMO_EMAIL_DOMAIN}"))
