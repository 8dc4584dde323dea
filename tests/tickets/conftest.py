from datetime import datetime

import pytest
from django.core.management import call_command

from aftersales.accounts.choices import Role
from aftersales.tickets.services import ticket_create
from tests.factories import EquipmentFactory


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def china_calendar(db):
    """China's statutory days of 2025-2026 loaded as `aftersales load_calendar` does."""
    call_command("load_calendar", "--years", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def agent(make_user):
    return make_user(Role.SERVICE_DESK, username="agent")


@pytest.fixture
def unit(db):
    """A unit of equipment under a 5x8 contract."""
    return EquipmentFactory()


@pytest.fixture
def create(agent, china_calendar):
    """create(now=..., **data) -> a ticket made by the service desk through ticket_create."""

    def make(now: str = "2025-01-27T18:00:00+08:00", channel: str = "phone", **data):
        data.setdefault("subject", "防火墙宕机")
        return ticket_create(actor=agent, data=data, channel=channel, now=at(now))

    return make
