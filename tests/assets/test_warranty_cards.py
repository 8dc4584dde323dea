"""Issuing a warranty card: only for accepted units, not before acceptance, one number once."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from aftersales.assets.models import WarrantyCard
from aftersales.assets.services import warranty_card_issue
from aftersales.core.models import AuditLog
from tests.factories import EquipmentFactory, WarrantyCardFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_card_is_issued_and_audited(manager):
    unit = EquipmentFactory(accepted_on=D(2025, 3, 1))
    card = warranty_card_issue(actor=manager, equipment=unit, number=" WC-2025-001 ", issued_on=D(2025, 3, 20))
    card.refresh_from_db()
    assert (card.number, card.issued_on, card.issued_by, card.equipment) == ("WC-2025-001", D(2025, 3, 20), manager, unit)
    audit = AuditLog.objects.get(object_type="assets.warrantycard")
    assert (audit.action, audit.actor, audit.after["number"]) == ("create", manager, "WC-2025-001")


def test_card_on_the_acceptance_day_is_fine(manager):
    unit = EquipmentFactory(accepted_on=D(2025, 3, 1))
    assert warranty_card_issue(actor=manager, equipment=unit, number="WC1", issued_on=D(2025, 3, 1)).pk


def refused(**kwargs) -> dict:
    with pytest.raises(ValidationError) as excinfo:
        warranty_card_issue(**kwargs)
    assert WarrantyCard.objects.filter(number=kwargs["number"].strip()).count() <= 1
    return excinfo.value.message_dict


def test_card_before_acceptance_is_refused(manager):
    unit = EquipmentFactory(accepted_on=D(2025, 3, 1))
    errors = refused(actor=manager, equipment=unit, number="WC1", issued_on=D(2025, 2, 28))
    assert "issued_on" in errors and "2025-03-01" in errors["issued_on"][0]
    assert not WarrantyCard.objects.exists()
    assert not AuditLog.objects.filter(object_type="assets.warrantycard").exists()


def test_unit_not_accepted_gets_no_card(manager):
    unit = EquipmentFactory(accepted_on=None, contract=None)
    errors = refused(actor=manager, equipment=unit, number="WC1", issued_on=D(2025, 3, 1))
    assert list(errors) == ["equipment"]
    assert not WarrantyCard.objects.exists()


def test_contract_acceptance_counts_when_the_unit_has_none(manager):
    unit = EquipmentFactory(accepted_on=None)  # the contract was accepted 2025-03-01
    errors = refused(actor=manager, equipment=unit, number="WC1", issued_on=D(2025, 2, 1))
    assert list(errors) == ["issued_on"]
    assert warranty_card_issue(actor=manager, equipment=unit, number="WC1", issued_on=D(2025, 3, 2)).pk


def test_card_number_is_used_once(manager):
    WarrantyCardFactory(number="WC-7")
    unit = EquipmentFactory()
    errors = refused(actor=manager, equipment=unit, number="WC-7", issued_on=D(2025, 3, 20))
    assert list(errors) == ["number"]
    assert not WarrantyCard.objects.filter(equipment=unit).exists()


def test_blank_number_is_refused(manager):
    errors = refused(actor=manager, equipment=EquipmentFactory(), number="  ", issued_on=D(2025, 3, 20))
    assert list(errors) == ["number"]


def test_a_unit_gets_one_card(manager):
    card = WarrantyCardFactory()
    errors = refused(actor=manager, equipment=card.equipment, number="WC-NEW", issued_on=D(2025, 4, 1))
    assert list(errors) == ["equipment"]
    assert WarrantyCard.objects.get(equipment=card.equipment).number == card.number
