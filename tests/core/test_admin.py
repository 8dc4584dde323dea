"""The Django admin: every archive model is there, the audit log cannot be edited."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from aftersales.core.audit import audit_record
from aftersales.core.models import AuditLog
from tests.factories import CustomerFactory, CustomerUserFactory


@pytest.mark.parametrize("app_label", ["core", "accounts", "customers", "assets"])
def test_every_model_is_registered(app_label):
    unregistered = [m.__name__ for m in apps.get_app_config(app_label).get_models() if not admin.site.is_registered(m)]
    assert unregistered == []


@pytest.fixture
def admin_client_logged_in(admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(admin, admin_client_logged_in):
    record = audit_record(actor=admin, action="update", instance=CustomerFactory(), before={"name": "a"}, after={"name": "b"})
    client = admin_client_logged_in
    assert client.get("/admin/core/auditlog/").status_code == 200
    assert client.get("/admin/core/auditlog/add/").status_code == 403
    detail = client.get(f"/admin/core/auditlog/{record.pk}/change/")
    assert detail.status_code == 200  # viewable...
    assert b'name="_save"' not in detail.content  # ...but there is no save button
    assert client.post(f"/admin/core/auditlog/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_users_admin_shows_role_and_customer(admin_client_logged_in):
    user = CustomerUserFactory(customer=CustomerFactory(name="Shanghai Metro"))
    text = admin_client_logged_in.get("/admin/accounts/user/").content.decode()
    assert user.username in text
    assert "Customer user" in text
    assert "Shanghai Metro" in text


@pytest.mark.django_db
def test_only_administrators_reach_the_admin(manager):
    client = Client()
    client.force_login(manager)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
