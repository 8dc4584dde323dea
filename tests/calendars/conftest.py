import pytest
from django.core.management import call_command


@pytest.fixture
def china_calendar(db):
    """China's statutory days of 2024-2026 loaded as `aftersales load_calendar` does."""
    call_command("load_calendar", "--years", "2024", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
