from __future__ import annotations

from django.db.models import Model

from aftersales.core.models import AuditAction, AuditLog
from aftersales.core.serialization import snapshot


def audit_record(*, actor, action: str, instance: Model, before: dict | None, after: dict | None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if actor is not None and getattr(actor, "pk", None) else "system"),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
    )


__all__ = ["audit_record", "snapshot", "AuditAction"]
