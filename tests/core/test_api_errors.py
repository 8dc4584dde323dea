"""Bad input reads the same whichever layer refuses it: 422, `loc` = ["body", field]."""

import pytest

from aftersales.customers.models import Site
from tests.factories import CustomerFactory


@pytest.fixture
def client(manager, api_client_for):
    return api_client_for(manager)


def post_site(client, **fields):
    payload = {"customer_id": CustomerFactory().pk, "name": "浦东数据中心", "address": "上海市", **fields}
    return client.post("/api/v1/sites", payload, content_type="application/json")


@pytest.mark.parametrize("fields", [
    {"latitude": "north"},  # not a number: refused by the request schema
    {"latitude": 200},      # a number out of range: refused by the model's validators
])
def test_a_bad_field_is_named_the_same_way_by_schema_and_model(client, fields):
    response = post_site(client, **fields)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "latitude"]
    assert error["msg"]
    assert not Site.objects.exists()


def test_a_missing_required_field_is_named(client):
    response = client.post("/api/v1/sites", {"name": "x"}, content_type="application/json")

    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} >= {("body", "customer_id"), ("body", "address")}


def test_a_body_that_is_not_json_gets_a_4xx(client):
    response = client.post("/api/v1/sites", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Site.objects.exists()


def test_a_bad_query_filter_is_named(client):
    response = client.get("/api/v1/sites", {"region": "mars"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]


@pytest.mark.parametrize("params", [{"offset": 10**19}, {"limit": 10**30}, {"limit": 0}, {"offset": -1}])
def test_absurd_paging_is_refused_as_bad_input(client, params):
    # 10**19 overflows PostgreSQL's bigint OFFSET: it must never reach the database.
    response = client.get("/api/v1/sites", params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(params))]


@pytest.mark.parametrize("path", ["/api/v1/sites/99999999999999999999999", "/api/v1/sites?customer=99999999999999999999999"])
def test_ids_beyond_the_databases_range_find_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404, 422)
    if response.status_code == 200:
        assert response.json()["count"] == 0


@pytest.mark.parametrize(("moment", "written"), [
    ("2025-01-27T10:00:00+00:00", "2025-01-27T10:00:00Z"),
    ("2025-01-27T10:00:00.123456+00:00", "2025-01-27T10:00:00.123456Z"),
    ("2025-01-27T18:00:00.000500+08:00", "2025-01-27T18:00:00.000500+08:00"),
    ("2025-01-27T18:00:00-05:30", "2025-01-27T18:00:00-05:30"),
])
def test_the_api_writes_times_in_rfc_3339_to_the_microsecond(moment, written):
    """Every answer's times: RFC 3339, "Z" for UTC, to the microsecond the database keeps
    (so a time read from one answer can be sent back and compared exactly)."""
    import datetime
    import json

    from aftersales.core.api import encode_json

    value = datetime.datetime.fromisoformat(moment)
    assert json.loads(encode_json({"at": value})) == {"at": written}
    assert datetime.datetime.fromisoformat(written) == value


def test_the_api_writes_what_orjson_does_not_know_as_ninja_did():
    """Decimals as strings (no float rounding), durations in ISO 8601, translated labels as
    text in the active language."""
    import datetime
    import decimal
    import json

    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from aftersales.core.api import encode_json

    with translation.override("en"):
        data = {"deposit": decimal.Decimal("1234567.10"), "took": datetime.timedelta(hours=1, minutes=30),
                "label": gettext_lazy("Customer"), "day": datetime.date(2025, 1, 28), 3: "three"}
        assert json.loads(encode_json(data)) == {"deposit": "1234567.10", "took": "P0DT01H30M00S",
                                                 "label": "Customer", "day": "2025-01-28", "3": "three"}
