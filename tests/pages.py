"""Shared page-test helpers: a logged-in client, page text, and `PageCrudCase`, the generic
page test case every archive type's page tests are declared with."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.accounts.models import User
from aftersales.core.models import AuditAction, AuditLog
from tests.factories import (
    CustomerFactory,
    CustomerUserFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"


def no_role_user() -> User:
    """A staff account whose role grants nothing: every page answers 403."""
    user = UserFactory(role=Role.DISPATCHER)
    User.objects.filter(pk=user.pk).update(role="")
    return User.objects.get(pk=user.pk)


def logged_in(user, language: str = "en") -> Client:
    """A logged-in browser; English by default so tests can read Django's own messages."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class PageCrudCase:
    """The list, detail, add, edit and delete pages of one archive type.

    Declare: `model`, `url_prefix` ("customers:customer"), `writer_role` (may do it all),
    `reader_role` (may only view), `make(customer)` (a saved object owned by `customer`),
    `create_data(customer)` (valid POST data), `edit_data` (changes for the edit form),
    `bad_data` [(changes, text of the error shown)], `row_text(obj)` (what identifies a row),
    `scoped_to_customer` (False for catalogs such as products).
    """

    model: ClassVar[type]
    url_prefix: ClassVar[str]
    writer_role: ClassVar[str] = Role.SERVICE_MANAGER
    reader_role: ClassVar[str] = Role.DISPATCHER
    edit_data: ClassVar[dict[str, Any]] = {}
    bad_data: ClassVar[list[tuple[dict[str, Any], str]]] = []
    scoped_to_customer: ClassVar[bool] = True
    list_max_queries: ClassVar[int] = 12

    def make(self, customer):
        raise NotImplementedError

    def create_data(self, customer) -> dict[str, Any]:
        raise NotImplementedError

    def row_text(self, obj) -> str:
        return str(obj)

    def url(self, action: str, obj=None) -> str:
        return reverse(f"{self.url_prefix}_{action}", args=[obj.pk] if obj is not None else [])

    def form_data(self, obj) -> dict[str, Any]:
        """The edit form's initial values, as the browser would send them back."""
        response = logged_in(UserFactory(role=self.writer_role)).get(self.url("edit", obj))
        form = response.context["form"]
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[name] = value
        return data

    # ---------------------------------------------------------------- list

    @pytest.mark.django_db
    def test_list_shows_rows_to_a_permitted_role(self):
        obj = self.make(CustomerFactory())
        response = logged_in(UserFactory(role=self.reader_role)).get(self.url("list"))
        assert response.status_code == 200
        assert self.row_text(obj) in page_text(response)

    @pytest.mark.django_db
    def test_list_without_permission_is_403(self):
        self.make(CustomerFactory())
        assert logged_in(no_role_user()).get(self.url("list")).status_code == 403

    @pytest.mark.django_db
    def test_list_hides_other_customers_rows_from_a_customer_user(self):
        own_user = CustomerUserFactory()
        mine, theirs = self.make(own_user.customer), self.make(CustomerFactory())
        text = page_text(logged_in(own_user).get(self.url("list")))
        assert self.row_text(mine) in text
        if self.scoped_to_customer:
            assert self.row_text(theirs) not in text

    @pytest.mark.django_db
    def test_list_query_count_does_not_grow_with_rows(self):
        client = logged_in(UserFactory(role=self.writer_role))
        customer = CustomerFactory()
        self.make(customer)
        with CaptureQueriesContext(connection) as few:
            assert client.get(self.url("list")).status_code == 200
        for _ in range(12):
            self.make(CustomerFactory())
        with CaptureQueriesContext(connection) as many:
            assert client.get(self.url("list")).status_code == 200
        assert len(many) == len(few)
        assert len(many) <= self.list_max_queries

    @pytest.mark.django_db
    def test_list_search_narrows_rows_and_htmx_gets_only_the_table(self):
        first, second = self.make(CustomerFactory()), self.make(CustomerFactory())
        client = logged_in(UserFactory(role=self.reader_role))
        response = client.get(self.url("list"), {"q": self.search_term(first)}, headers={
            "HX-Request": "true", "HX-Target": "object-table"})
        text = page_text(response)
        assert self.row_text(first) in text
        assert self.row_text(second) not in text
        assert "<nav" not in text  # the partial, not the whole page

    def search_term(self, obj) -> str:
        return self.row_text(obj)

    # ---------------------------------------------------------------- detail

    @pytest.mark.django_db
    def test_detail_for_permitted_role_and_403_without_permission(self):
        obj = self.make(CustomerFactory())
        response = logged_in(UserFactory(role=self.reader_role)).get(self.url("detail", obj))
        assert response.status_code == 200
        assert self.row_text(obj) in page_text(response)
        assert logged_in(no_role_user()).get(self.url("detail", obj)).status_code == 403

    @pytest.mark.django_db
    def test_other_customers_object_is_404_for_a_customer_user(self):
        if not self.scoped_to_customer:
            pytest.skip("a shared catalog: every customer sees it")
        theirs = self.make(CustomerFactory())
        client = logged_in(CustomerUserFactory())
        for action in ("detail", "edit", "delete"):
            assert client.get(self.url(action, theirs)).status_code == 404, action
        assert client.post(self.url("delete", theirs)).status_code == 404
        assert self.model.objects.filter(pk=theirs.pk).exists()

    # ---------------------------------------------------------------- create

    @pytest.mark.django_db
    def test_create_saves_and_audits(self):
        customer = CustomerFactory()
        client = logged_in(UserFactory(role=self.writer_role))
        assert client.get(self.url("add")).status_code == 200
        before = self.model.objects.count()
        response = client.post(self.url("add"), self.create_data(customer))
        assert response.status_code == 302, page_text(response)[-3000:]
        assert self.model.objects.count() == before + 1
        created = self.model.objects.order_by("-pk").first()
        assert response["Location"] == created.get_absolute_url()
        assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(created.pk),
                                       object_type=self.model._meta.label_lower).exists()

    @pytest.mark.django_db
    def test_bad_input_shows_the_error_and_writes_nothing(self):
        customer = CustomerFactory()
        client = logged_in(UserFactory(role=self.writer_role))
        for changes, message in self.bad_data:
            before, audits = self.model.objects.count(), AuditLog.objects.count()
            response = client.post(self.url("add"), {**self.create_data(customer), **changes})
            assert response.status_code == 200, changes
            assert message in page_text(response), (changes, message)
            assert self.model.objects.count() == before
            assert AuditLog.objects.count() == audits

    @pytest.mark.django_db
    def test_reader_role_may_not_add_edit_or_delete(self):
        obj = self.make(CustomerFactory())
        client = logged_in(UserFactory(role=self.reader_role))
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("add"), self.create_data(CustomerFactory())).status_code == 403
        assert client.get(self.url("edit", obj)).status_code == 403
        assert client.post(self.url("delete", obj)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()

    # ---------------------------------------------------------------- edit

    @pytest.mark.django_db
    def test_edit_saves_changes_and_audits_before_and_after(self):
        obj = self.make(CustomerFactory())
        client = logged_in(UserFactory(role=self.writer_role))
        response = client.post(self.url("edit", obj), {**self.form_data(obj), **self.edit_data})
        assert response.status_code == 302, page_text(response)[-3000:]
        obj.refresh_from_db()
        for name, value in self.edit_data.items():
            assert str(getattr(obj, name)) == str(value)
        record = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(obj.pk),
                                      object_type=self.model._meta.label_lower)
        changed = {field for field, _before, _after in record.changes}
        assert set(self.edit_data) <= changed

    @pytest.mark.django_db
    def test_edit_with_bad_input_changes_nothing(self):
        obj = self.make(CustomerFactory())
        client = logged_in(UserFactory(role=self.writer_role))
        obj = self.model.objects.get(pk=obj.pk)  # as stored, not as the factory typed it
        original = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        for changes, message in self.bad_data:
            response = client.post(self.url("edit", obj), {**self.form_data(obj), **changes})
            assert response.status_code == 200
            assert message in page_text(response)
        obj.refresh_from_db()
        assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == original

    # ---------------------------------------------------------------- delete

    @pytest.mark.django_db
    def test_delete_asks_then_deletes_and_audits(self):
        obj = self.make(CustomerFactory())
        client = logged_in(UserFactory(role=self.writer_role))
        assert client.get(self.url("delete", obj)).status_code == 200
        assert self.model.objects.filter(pk=obj.pk).exists()  # asking deletes nothing
        response = client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert AuditLog.objects.filter(action=AuditAction.DELETE, object_id=str(obj.pk)).exists()


# ======================================================================= core pages
