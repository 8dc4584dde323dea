"""Turn model instances into JSON-safe dicts for the audit log and history diffs."""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid

from django.db.models import Model
from django.db.models.fields.files import FieldFile


def json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Model):
        return value.pk
    return value


_PLAIN = frozenset({str, int, bool, float, type(None)})
_NOT_SNAPSHOTTED = frozenset({"created_at", "updated_at", "password"})


@functools.cache
def _snapshot_attributes(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in _NOT_SNAPSHOTTED)


def snapshot(instance: Model) -> dict:
    """Concrete field values keyed by attribute name (foreign keys as ids)."""
    data = {}
    for name in _snapshot_attributes(type(instance)):
        value = getattr(instance, name)
        data[name] = value if type(value) in _PLAIN else json_value(value)
    return data
