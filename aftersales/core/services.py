"""Generic writes: create, update and delete one object with validation and audit.

App services call these (or write their own on the same pattern): keyword-only, one
transaction, full model validation before anything is written, one audit record each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction


def _assign(instance: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            raise ValueError("many-to-many fields are set after save")
        if value is None and not field.null and field.empty_strings_allowed and field.blank:
            value = ""  # an omitted optional text field is empty text, never NULL
        setattr(instance, field.attname if field.is_relation and not isinstance(value, models.Model) else name, value)


def object_create(*, actor, model: type[models.Model], data: dict[str, Any]) -> models.Model:
    with transaction.atomic():
        instance = model()
        _assign(instance, data)
        instance.full_clean()
        instance.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=instance, before=None, after=snapshot(instance))
    return instance


def object_update(*, actor, instance: models.Model, data: dict[str, Any]) -> models.Model:
    with transaction.atomic():
        before = snapshot(instance)
        _assign(instance, data)
        instance.full_clean()
        instance.save()
        after = snapshot(instance)
        if after != before:
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=instance, before=before, after=after)
    return instance


def object_delete(*, actor, instance: models.Model) -> None:
    with transaction.atomic():
        before = snapshot(instance)
        try:
            instance.delete()
        except models.ProtectedError as exc:
            names = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
            raise ValidationError(
                {"__all__": [f"{instance} is still used by: {', '.join(str(n) for n in names)}"]}
            ) from exc
        # The instance keeps its primary key in memory for the audit record.
        instance.pk = before.get("id", instance.pk)
        audit_record(actor=actor, action=AuditAction.DELETE, instance=instance, before=before, after=None)


@contextmanager
def stored_file_removed_on_failure(instance: models.Model, field: str = "file") -> Iterator[None]:
    """Around saving a row with an uploaded file: the file reaches storage as the row is
    saved; if the transaction then fails, the row is rolled back and the file must go too."""
    try:
        yield
    except Exception:
        stored = getattr(instance, field)
        if getattr(stored, "_committed", False) and stored.name:
            stored.storage.delete(stored.name)
        raise


def object_delete_with_file(*, actor, instance: models.Model, field: str = "file") -> None:
    """object_delete, then the stored file once the deletion is committed (a rolled-back
    deletion keeps its file)."""
    stored = getattr(instance, field)
    name, storage = stored.name, stored.storage
    with transaction.atomic():
        object_delete(actor=actor, instance=instance)
        if name:
            transaction.on_commit(lambda: storage.delete(name))
