"""Turn model instances into JSON-safe dicts for the audit log and history diffs."""

from __future__ import annotations

import datetime
import decimal
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


def snapshot(instance: Model) -> dict:
    """Concrete field values keyed by attribute name (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"created_at", "updated_at", "password"}:
            continue
        data[field.attname] = json_value(getattr(instance, field.attname))
    return data
