"""The generic API test case: a resource's API tests are a declaration of sample data.

    class TestSiteApi(ApiCrudCase):
        url = "/api/v1/sites"
        model = Site
        factory = SiteFactory
        update_data = {"name": "Pudong DC 2"}
        bad_data = [({"latitude": 200}, "latitude"), ({"name": ""}, "name")]
        filters = [({"q": "Pudong"}, {"name": "Pudong DC"}), ({"city": "Beijing"}, {"city": "Beijing"})]

        def create_data(self, samples):
            return {"customer_id": samples.customer.id, "name": "Pudong DC", "address": "..."}

        def make_protector(self, site):          # optional: something that PROTECTs the object
            return EquipmentFactory(site=site)

`ApiCrudCase` then runs, for the resource: paginated and filtered list, detail, create,
update (PATCH), delete (and refused delete of a protected object), permissions of a
read-only role, customer scoping (another customer's object answers 404), bad input,
unauthenticated access and the list's query count.

The tests need the fixtures `make_user` and `api_client_for` (tests/conftest.py) and
`samples` (an object whose attributes build coherent related rows on first use).
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditAction, AuditLog
from aftersales.core.serialization import snapshot

# Fields the server sets itself; a PATCH may move them without the client asking.
SERVER_MANAGED_FIELDS = {"updated_at", "created_at"}


def same_value(sent: Any, stored: Any) -> bool:
    """Compare a JSON value the client sent with what the API or the database holds,
    without caring whether a number travels as 31.2, "31.2" or Decimal("31.200000")."""
    if sent is None or stored is None:
        return sent is stored
    if isinstance(sent, bool) or isinstance(stored, bool):
        return sent == stored
    if isinstance(sent, int | float | decimal.Decimal) or isinstance(stored, int | float | decimal.Decimal):
        try:
            return decimal.Decimal(str(sent)) == decimal.Decimal(str(stored))
        except decimal.InvalidOperation:
            return False
    if isinstance(stored, datetime.date | datetime.datetime):
        return str(sent) == stored.isoformat()
    return sent == stored


def error_fields(response) -> set[str]:
    """The field names an error response points at (any element of any `loc`)."""
    detail = response.json().get("detail")
    if not isinstance(detail, list):
        return set()
    return {str(part) for item in detail for part in item.get("loc", [])}


class ApiCrudCase:
    """Generic CRUD tests for one `crud_router` resource; subclass it as `Test<Name>Api`."""

    url: ClassVar[str]
    model: ClassVar[type[Model]]
    factory: ClassVar[Any]
    update_data: ClassVar[dict[str, Any]] = {}
    # (fields merged into a valid create payload, the field the error must name)
    bad_data: ClassVar[list[tuple[dict[str, Any], str]]] = []
    # (fields sent in a PATCH, the field the error must name)
    bad_update_data: ClassVar[list[tuple[dict[str, Any], str]]] = []
    # (query parameters, factory arguments of a row that matches); rows the factory makes by
    # default must not match. Include one `q` search and at least one other filter.
    filters: ClassVar[list[tuple[dict[str, str], dict[str, Any]]]] = []
    writer_role: ClassVar[str] = Role.SERVICE_MANAGER
    read_only_role: ClassVar[str] = Role.VICE_PRESIDENT
    # False for shared catalogs (products): every logged-in user sees every row.
    customer_scoped: ClassVar[bool] = True
    max_list_queries: ClassVar[int] = 8

    # -- declarations a subclass provides or overrides ------------------------------------

    def create_data(self, samples) -> dict[str, Any]:
        raise NotImplementedError

    def bad_create_data(self, samples) -> list[tuple[dict[str, Any], str]]:
        """`bad_data`, for payloads that need sample rows (another customer's site...)."""
        return list(self.bad_data)

    def filter_cases(self, samples) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """`filters`, for filters that need sample rows (`?site=<id>`...)."""
        return list(self.filters)

    def make(self, **kwargs) -> Model:
        return self.factory(**kwargs)

    def make_owned(self, customer) -> Model:
        """A row that belongs to `customer` (only used when `customer_scoped`)."""
        return self.make(customer=customer)

    def make_protector(self, obj) -> Model | None:
        """Create a row that PROTECTs `obj` from deletion, or return None if nothing can."""
        return None

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture
    def writer(self, make_user):
        return make_user(self.writer_role)

    @pytest.fixture
    def writer_client(self, writer, api_client_for) -> Client:
        return api_client_for(writer)

    @pytest.fixture
    def reader_client(self, make_user, api_client_for) -> Client:
        return api_client_for(make_user(self.read_only_role))

    @pytest.fixture
    def customer_user(self, make_user):
        return make_user(Role.CUSTOMER)

    @pytest.fixture
    def customer_client(self, customer_user, api_client_for) -> Client:
        return api_client_for(customer_user)

    # -- helpers ----------------------------------------------------------------------------

    def detail_url(self, obj_or_pk) -> str:
        return f"{self.url}/{getattr(obj_or_pk, 'pk', obj_or_pk)}"

    def list_ids(self, client: Client, **params) -> list[int]:
        response = client.get(self.url, {"limit": 1000, **params})
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    def stored(self, obj) -> dict[str, Any]:
        return {k: v for k, v in snapshot(self.model._default_manager.get(pk=obj.pk)).items()
                if k not in SERVER_MANAGED_FIELDS}

    def audit_rows(self, obj_or_pk, action: str):
        return AuditLog.objects.filter(object_type=self.model._meta.label_lower,
                                       object_id=str(getattr(obj_or_pk, "pk", obj_or_pk)), action=action)

    # -- list ---------------------------------------------------------------------------------

    def test_list_is_paginated_with_a_total_count(self, writer_client):
        for _ in range(3):
            self.make()
        total = self.model._default_manager.count()

        first = writer_client.get(self.url, {"limit": 2}).json()
        rest = writer_client.get(self.url, {"limit": 1000, "offset": 2}).json()

        assert first["count"] == total
        assert len(first["items"]) == 2
        ids = [item["id"] for item in first["items"] + rest["items"]]
        assert sorted(ids) == sorted(self.model._default_manager.values_list("pk", flat=True))

    def test_list_filters_and_search(self, writer_client, samples):
        cases = self.filter_cases(samples)
        assert any("q" in params for params, _ in cases), "declare a `q` search in filters"
        assert any("q" not in params for params, _ in cases), "declare a filter besides `q`"
        for params, match_kwargs in cases:
            matching = self.make(**match_kwargs)
            other = self.make()
            ids = self.list_ids(writer_client, **params)
            assert matching.pk in ids, params
            assert other.pk not in ids, params

    def test_list_query_count_does_not_grow_with_rows(self, writer_client, django_assert_max_num_queries):
        for _ in range(3):
            self.make()
        writer_client.get(self.url)  # the token's first use is recorded once; not part of a list
        with CaptureQueriesContext(connection) as few_rows:
            assert writer_client.get(self.url).status_code == 200
        assert len(few_rows) <= self.max_list_queries, [q["sql"] for q in few_rows.captured_queries]
        for _ in range(12):
            self.make()
        with django_assert_max_num_queries(len(few_rows)):
            response = writer_client.get(self.url)
        assert response.json()["count"] >= 15

    # -- detail ---------------------------------------------------------------------------------

    def test_detail(self, writer_client):
        obj = self.make()
        response = writer_client.get(self.detail_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_detail_of_a_missing_object_is_404(self, writer_client):
        assert writer_client.get(self.detail_url(987654321)).status_code == 404

    # -- create ---------------------------------------------------------------------------------

    def test_create(self, writer_client, writer, samples):
        payload = self.create_data(samples)
        count = self.model._default_manager.count()

        response = writer_client.post(self.url, payload, content_type="application/json")

        assert response.status_code == 201, response.content
        body = response.json()
        assert self.model._default_manager.count() == count + 1
        stored = self.stored(self.model._default_manager.get(pk=body["id"]))
        for name, value in payload.items():
            assert same_value(value, body[name]), (name, value, body[name])
            assert same_value(value, stored[name]), (name, value, stored[name])
        audit = self.audit_rows(body["id"], AuditAction.CREATE).get()
        assert audit.actor == writer

    # -- update ---------------------------------------------------------------------------------

    def test_update_changes_only_the_fields_sent(self, writer_client, writer):
        obj = self.make()
        before = self.stored(obj)

        response = writer_client.patch(self.detail_url(obj), self.update_data, content_type="application/json")

        assert response.status_code == 200, response.content
        after = self.stored(obj)
        for name, value in self.update_data.items():
            assert same_value(value, response.json()[name]), name
            assert same_value(value, after[name]), name
        unchanged = {k: v for k, v in before.items() if k not in self.update_data}
        assert unchanged == {k: after[k] for k in unchanged}
        audit = self.audit_rows(obj, AuditAction.UPDATE).get()
        assert audit.actor == writer
        for name, value in self.update_data.items():
            assert audit.before[name] == before[name]
            assert same_value(value, audit.after[name])

    # -- delete ---------------------------------------------------------------------------------

    def test_delete(self, writer_client, writer):
        obj = self.make()

        response = writer_client.delete(self.detail_url(obj))

        assert response.status_code == 204
        assert not self.model._default_manager.filter(pk=obj.pk).exists()
        audit = self.audit_rows(obj, AuditAction.DELETE).get()
        assert audit.actor == writer
        assert audit.before["id"] == obj.pk

    def test_delete_of_a_protected_object_is_refused_with_a_message(self, writer_client):
        obj = self.make()
        if self.make_protector(obj) is None:
            pytest.skip(f"nothing protects this {self.model._meta.verbose_name} from deletion")

        response = writer_client.delete(self.detail_url(obj))

        assert response.status_code == 422
        assert "still used by" in response.json()["detail"][0]["msg"]
        assert self.model._default_manager.filter(pk=obj.pk).exists()
        assert not self.audit_rows(obj, AuditAction.DELETE).exists()

    # -- permissions ------------------------------------------------------------------------------

    def test_read_only_role_can_read_but_not_write(self, reader_client, samples):
        obj = self.make()
        before, count = self.stored(obj), self.model._default_manager.count()

        assert reader_client.get(self.url).status_code == 200
        assert reader_client.get(self.detail_url(obj)).status_code == 200
        assert reader_client.post(self.url, self.create_data(samples), content_type="application/json").status_code == 403
        assert reader_client.patch(self.detail_url(obj), self.update_data, content_type="application/json").status_code == 403
        assert reader_client.delete(self.detail_url(obj)).status_code == 403

        assert self.model._default_manager.count() == count
        assert self.stored(obj) == before
        assert not AuditLog.objects.filter(object_type=self.model._meta.label_lower).exists()

    def test_unauthenticated_requests_get_401_and_change_nothing(self, samples):
        obj = self.make()
        before, count = self.stored(obj), self.model._default_manager.count()
        anonymous = Client()

        assert anonymous.get(self.url).status_code == 401
        assert anonymous.get(self.detail_url(obj)).status_code == 401
        assert anonymous.post(self.url, self.create_data(samples), content_type="application/json").status_code == 401
        assert anonymous.patch(self.detail_url(obj), self.update_data, content_type="application/json").status_code == 401
        assert anonymous.delete(self.detail_url(obj)).status_code == 401

        assert self.model._default_manager.count() == count
        assert self.stored(obj) == before

    # -- customer scoping -------------------------------------------------------------------------

    def test_customer_user_sees_only_its_own_customer(self, customer_client, customer_user):
        if not self.customer_scoped:
            # A shared catalog: every customer reads every row, and nobody outside staff writes.
            obj = self.make()
            before = self.stored(obj)
            assert obj.pk in self.list_ids(customer_client)
            assert customer_client.get(self.detail_url(obj)).status_code == 200
            assert customer_client.patch(self.detail_url(obj), self.update_data, content_type="application/json").status_code == 403
            assert customer_client.delete(self.detail_url(obj)).status_code == 403
            assert self.stored(obj) == before
            return
        mine = self.make_owned(customer_user.customer)
        theirs = self.make_owned(self.other_customer())
        theirs_before = self.stored(theirs)

        assert self.list_ids(customer_client) == [mine.pk]
        assert customer_client.get(self.detail_url(mine)).status_code == 200
        assert customer_client.get(self.detail_url(theirs)).status_code == 404
        assert customer_client.patch(self.detail_url(theirs), self.update_data, content_type="application/json").status_code == 404
        assert customer_client.delete(self.detail_url(theirs)).status_code == 404
        assert self.stored(theirs) == theirs_before

    def other_customer(self):
        from aftersales.customers.models import Customer

        number = Customer.objects.count() + 1
        return Customer.objects.create(code=f"OTHER{number:04d}", name=f"Other customer {number}", region="north")

    # -- bad input --------------------------------------------------------------------------------

    def test_bad_input_on_create_names_the_field_and_writes_nothing(self, writer_client, samples):
        cases = self.bad_create_data(samples)
        assert cases, "declare bad_data"
        for bad, field in cases:
            payload = {**self.create_data(samples), **bad}
            count, audits = self.model._default_manager.count(), AuditLog.objects.count()

            response = writer_client.post(self.url, payload, content_type="application/json")

            assert 400 <= response.status_code < 500, (bad, response.status_code, response.content)
            assert field in error_fields(response), (bad, response.json())
            assert self.model._default_manager.count() == count
            assert AuditLog.objects.count() == audits

    def test_bad_input_on_update_names_the_field_and_changes_nothing(self, writer_client):
        if not self.bad_update_data:
            pytest.skip("no bad_update_data declared")
        obj = self.make()
        before = self.stored(obj)
        for bad, field in self.bad_update_data:
            response = writer_client.patch(self.detail_url(obj), bad, content_type="application/json")

            assert 400 <= response.status_code < 500, (bad, response.status_code, response.content)
            assert field in error_fields(response), (bad, response.json())
            assert self.stored(obj) == before
        assert not self.audit_rows(obj, AuditAction.UPDATE).exists()
