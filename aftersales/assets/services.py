"""Writes to equipment and warranties."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.assets.choices import ChangeKind
from aftersales.assets.models import Equipment, EquipmentChange, WarrantyCard
from aftersales.assets.selectors import equipment_acceptance
from aftersales.core import services as core_services


def equipment_update(*, actor, instance: Equipment, data: dict[str, Any], note: str = "") -> Equipment:
    """Update a unit; a new software version or configuration is kept in its history."""
    with transaction.atomic():
        old_version, old_config = instance.software_version, instance.configuration
        core_services.object_update(actor=actor, instance=instance, data=data)
        if "software_version" in data and instance.software_version != old_version:
            EquipmentChange.objects.create(equipment=instance, kind=ChangeKind.SOFTWARE, before=old_version,
                                           after=instance.software_version, changed_by=actor, note=note)
        if "configuration" in data and instance.configuration != old_config:
            EquipmentChange.objects.create(equipment=instance, kind=ChangeKind.CONFIGURATION, before=old_config,
                                           after=instance.configuration, changed_by=actor, note=note)
    return instance


def warranty_card_issue(*, actor, equipment: Equipment, number: str, issued_on: datetime.date) -> WarrantyCard:
    """Record the warranty card handed over for an accepted unit (one card per unit)."""
    number = (number or "").strip()
    errors: dict[str, str] = {}
    accepted_on = equipment_acceptance(equipment)
    if not number:
        errors["number"] = _("Give the card number.")
    elif WarrantyCard.objects.filter(number=number).exists():
        errors["number"] = _("Card number %(number)s is already used.") % {"number": number}
    if accepted_on is None:
        errors["equipment"] = _("The unit has not been accepted yet; a warranty card starts at acceptance.")
    elif issued_on is None:
        errors["issued_on"] = _("Give the day the card was issued.")
    elif issued_on < accepted_on:
        errors["issued_on"] = _("The card cannot be issued before acceptance on %(day)s.") % {"day": accepted_on.isoformat()}
    if WarrantyCard.objects.filter(equipment=equipment).exists():
        errors["equipment"] = _("This unit already has a warranty card.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            card = core_services.object_create(actor=actor, model=WarrantyCard, data={
                "equipment": equipment, "number": number, "issued_on": issued_on,
                "issued_by": actor if getattr(actor, "pk", None) else None,
            })
    except IntegrityError as exc:
        # Another request issued the same number or a card for the same unit in between.
        raise ValidationError({"number": _("Card number %(number)s is already used, or the unit already has a card.")
                               % {"number": number}}) from exc
    return card
