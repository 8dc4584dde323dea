from __future__ import annotations

import functools

from django.db.models import Model

from aftersales.core import rows
from aftersales.core.models import AuditAction, AuditLog
from aftersales.core.serialization import snapshot


@functools.cache
def _masks(model: type[Model]) -> tuple[tuple[str, object], ...]:
    """(attribute, mask) of every field of `model` that declares `audit_mask`."""
    return tuple((f.attname, f.audit_mask) for f in model._meta.concrete_fields
                 if getattr(f, "audit_mask", None) is not None)


def masked(instance: Model, values: dict | None) -> dict | None:
    """`values` (a snapshot) with every field that declares `audit_mask` (the encrypted
    fields: webhook addresses and secrets) replaced by its mask, so the audit log never holds
    a credential in clear; a change still shows (the mask of a new value differs)."""
    if values is None:
        return None
    result = dict(values)
    for attname, mask in _masks(type(instance)):
        if attname in result:
            result[attname] = mask(result[attname])
    return result


def audit_record(*, actor, action: str, instance: Model, before: dict | None, after: dict | None) -> AuditLog:
    entry = audit_entry(actor=actor, action=action, instance=instance, before=before, after=after)
    entry.save()
    return entry


def audit_entry(*, actor, action: str, instance: Model, before: dict | None, after: dict | None) -> AuditLog:
    """The audit record, unsaved: for services that write it with their other rows in one
    statement (`aftersales.core.rows.insert_rows`)."""
    return rows.new(
        AuditLog,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if actor is not None and getattr(actor, "pk", None) else "system"),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=masked(instance, before),
        after=masked(instance, after),
    )


__all__ = ["audit_entry", "audit_record", "snapshot", "AuditAction"]
