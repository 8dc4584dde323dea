"""Customer users read their own organisation's archives and nothing of anyone else's."""

import pytest
from django.contrib.auth.models import Permission

from aftersales.accounts.choices import Role
from aftersales.customers.models import Site
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    EquipmentFactory,
    ProductFactory,
    SiteFactory,
)


@pytest.fixture
def two_customers(make_user):
    """customer1 and customer2: a customer user each, and a full set of archives each."""
    world = {}
    for name in ("customer1", "customer2"):
        customer = CustomerFactory(name=f"{name} Ltd")
        site = SiteFactory(customer=customer)
        contract = ContractFactory(customer=customer)
        world[name] = {
            "user": make_user(Role.CUSTOMER, customer=customer),
            "customers": customer,
            "sites": site,
            "contacts": ContactFactory(customer=customer, site=site),
            "contracts": contract,
            "equipment": EquipmentFactory(site=site, contract=contract),
        }
    return world


@pytest.mark.parametrize("resource", ["customers", "sites", "contacts", "contracts", "equipment"])
def test_customer1_cannot_reach_customer2s_archives(two_customers, api_client_for, resource):
    client = api_client_for(two_customers["customer1"]["user"])
    own, foreign = two_customers["customer1"][resource], two_customers["customer2"][resource]
    url = f"/api/v1/{resource}"

    listed = [item["id"] for item in client.get(url, {"limit": 1000}).json()["items"]]
    assert listed == [own.pk]
    # Searching or filtering for the other customer does not bring its rows back either.
    assert client.get(url, {"q": "customer2"}).json()["count"] == 0
    assert client.get(f"{url}/{own.pk}").status_code == 200
    assert client.get(f"{url}/{foreign.pk}").status_code == 404
    assert client.patch(f"{url}/{foreign.pk}", {"name": "hijacked"}, content_type="application/json").status_code == 404
    assert client.delete(f"{url}/{foreign.pk}").status_code == 404
    assert type(foreign).objects.filter(pk=foreign.pk).exists()


def test_customer_users_may_not_write_even_their_own_archives(two_customers, api_client_for):
    customer1 = two_customers["customer1"]
    client = api_client_for(customer1["user"])
    site = customer1["sites"]

    assert client.patch(f"/api/v1/sites/{site.pk}", {"name": "renamed"}, content_type="application/json").status_code == 403
    assert client.delete(f"/api/v1/sites/{site.pk}").status_code == 403
    assert client.post("/api/v1/sites", {"customer_id": customer1["customers"].pk, "name": "new", "address": "x"},
                       content_type="application/json").status_code == 403
    site.refresh_from_db()
    assert site.name != "renamed"


def test_every_customer_user_sees_the_whole_product_catalog(two_customers, api_client_for):
    products = {ProductFactory().pk for _ in range(3)} | set(
        type(two_customers["customer2"]["equipment"]).objects.values_list("product_id", flat=True))
    client = api_client_for(two_customers["customer1"]["user"])

    listed = {item["id"] for item in client.get("/api/v1/products", {"limit": 1000}).json()["items"]}

    assert products <= listed


def test_a_reference_to_another_customer_reads_as_does_not_exist(two_customers, api_client_for):
    # Even a customer user who was granted the right to add sites cannot hang one on another
    # customer: the customer_id is looked up through scoping, so it simply does not exist.
    customer1, customer2 = two_customers["customer1"], two_customers["customer2"]
    customer1["user"].user_permissions.add(Permission.objects.get(codename="add_site", content_type__app_label="customers"))
    client = api_client_for(customer1["user"])
    payload = {"name": "偷偷建的站点", "address": "上海市"}

    refused = client.post("/api/v1/sites", {**payload, "customer_id": customer2["customers"].pk}, content_type="application/json")
    missing = client.post("/api/v1/sites", {**payload, "customer_id": 987654321}, content_type="application/json")

    assert refused.status_code == missing.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert refused.json()["detail"][0]["msg"] == missing.json()["detail"][0]["msg"].replace("987654321", str(customer2["customers"].pk))
    assert not Site.objects.filter(name="偷偷建的站点").exists()

    allowed = client.post("/api/v1/sites", {**payload, "customer_id": customer1["customers"].pk}, content_type="application/json")
    assert allowed.status_code == 201
