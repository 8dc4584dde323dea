"""Every write through the services leaves an audit record that nobody can change."""

import pytest
from django.db import DatabaseError, transaction

from aftersales.core import services
from aftersales.core.apps import apply_audit_purge_switch
from aftersales.core.models import AppendOnlyError, AuditLog
from aftersales.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_create_update_delete_each_write_one_record_with_before_and_after(manager):
    customer = services.object_create(actor=manager, model=Customer,
                                      data={"code": "SH001", "name": "上海浦江数据科技有限公司", "region": "east"})
    services.object_update(actor=manager, instance=customer, data={"tier": "key"})
    services.object_delete(actor=manager, instance=customer)

    records = list(AuditLog.objects.filter(object_type="customers.customer").order_by("id"))
    assert [r.action for r in records] == ["create", "update", "delete"]
    assert all(r.actor_id == manager.pk and r.actor_name == "manager" for r in records)
    assert records[0].before is None and records[0].after["code"] == "SH001"
    assert records[1].changes == [("tier", "normal", "key")]
    assert records[2].before["name"] == "上海浦江数据科技有限公司" and records[2].after is None
    assert not Customer.objects.filter(code="SH001").exists()


def test_an_update_that_changes_nothing_writes_no_record(manager):
    customer = CustomerFactory()
    services.object_update(actor=manager, instance=customer, data={"name": customer.name})
    assert not AuditLog.objects.filter(action="update").exists()


def test_invalid_data_writes_neither_object_nor_audit_record(manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        services.object_create(actor=manager, model=Customer, data={"code": "bad code!", "name": "", "region": "mars"})
    assert set(excinfo.value.message_dict) == {"code", "name", "region"}
    assert Customer.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_audit_records_cannot_be_changed_or_deleted_through_the_orm(manager):
    customer = services.object_create(actor=manager, model=Customer, data={"code": "A1", "name": "甲", "region": "north"})
    record = AuditLog.objects.get(object_id=str(customer.pk))
    record.object_repr = "forged"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=record.pk).update(object_repr="forged")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=record.pk).object_repr != "forged"


@pytest.fixture
def production_audit_guard():
    """The test database may purge the audit log between tests; production may not."""
    from django.db import connection

    connection.ensure_connection()
    apply_audit_purge_switch(connection, allowed=False)
    yield
    apply_audit_purge_switch(connection)


def test_the_database_itself_refuses_update_and_delete(manager, production_audit_guard):
    from django.db import connection

    services.object_create(actor=manager, model=Customer, data={"code": "A2", "name": "乙", "region": "south"})
    statements = ["UPDATE core_auditlog SET object_repr = 'forged'", "DELETE FROM core_auditlog"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE core_auditlog")
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.filter(object_repr="forged").count() == 0
    assert AuditLog.objects.count() == 1


def test_a_sqlite_connection_without_the_application_cannot_delete(tmp_path):
    """Another program opening the SQLite file (no purge function registered) fails closed."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific: PostgreSQL's guard is covered by the test above")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    db.execute("CREATE TABLE core_auditlog (id integer primary key, object_repr text)")
    from importlib import import_module

    from aftersales.core.migrations import __path__ as migrations_path  # noqa: F401

    triggers = import_module("aftersales.core.migrations.0002_auditlog_append_only_triggers")
    for sql in triggers.SQLITE:
        db.execute(sql)
    db.execute("INSERT INTO core_auditlog (object_repr) VALUES ('kept')")
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM core_auditlog")
    assert db.execute("SELECT object_repr FROM core_auditlog").fetchall() == [("kept",)]
