"""Generic writes: create, update and delete one object with validation and audit.

App services call these (or write their own on the same pattern): keyword-only, one
transaction, full model validation before anything is written, one audit record each.
"""

from __future__ import annotations

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
