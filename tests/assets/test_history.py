"""A unit's history shows what changed in its configuration and software, line by line."""

import pytest

from aftersales.assets.selectors import equipment_history
from aftersales.assets.services import equipment_update
from tests.factories import EquipmentFactory

pytestmark = pytest.mark.django_db


def test_history_shows_configuration_and_software_changes_newest_first(manager, django_assert_max_num_queries):
    unit = EquipmentFactory(software_version="5.6.1",
                            configuration={"hostname": "fw-01", "interfaces": [{"name": "eth0", "ip": "10.0.0.1"}]})
    equipment_update(actor=manager, instance=unit, note="IP plan 2025",
                     data={"configuration": {"hostname": "fw-01", "interfaces": [{"name": "eth0", "ip": "10.0.0.2"}],
                                             "ntp": "10.0.0.254"}})
    equipment_update(actor=manager, instance=unit, data={"software_version": "5.7.0"})

    with django_assert_max_num_queries(1):
        history = equipment_history(equipment=unit)
        who = [change.changed_by.username for change in history]
    assert [change.kind for change in history] == ["software", "configuration"]
    assert who == ["manager", "manager"]
    software, configuration = history
    assert [(d.path, d.kind, d.before, d.after) for d in software.diff] == [("", "changed", "5.6.1", "5.7.0")]
    assert [(d.path, d.kind, d.before, d.after) for d in configuration.diff] == [
        ("interfaces[0].ip", "changed", "10.0.0.1", "10.0.0.2"),
        ("ntp", "added", None, "10.0.0.254"),
    ]
    assert configuration.note == "IP plan 2025"


def test_saving_the_same_configuration_adds_no_history(manager):
    unit = EquipmentFactory(configuration={"hostname": "fw-01"})
    equipment_update(actor=manager, instance=unit, data={"configuration": {"hostname": "fw-01"}})
    assert equipment_history(equipment=unit) == []


def test_history_belongs_to_its_unit(manager):
    unit, other = EquipmentFactory(), EquipmentFactory()
    equipment_update(actor=manager, instance=other, data={"software_version": "9.9"})
    assert equipment_history(equipment=unit) == []
    assert len(equipment_history(equipment=other)) == 1
