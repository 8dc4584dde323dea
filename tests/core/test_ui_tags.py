"""How values read on the pages."""

import datetime

from django.utils import translation

from aftersales.core.templatetags.ui import show


def test_a_stored_utc_time_reads_as_shanghai_time():
    stored = datetime.datetime(2025, 1, 27, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai
    with translation.override("en"):
        text = str(show(stored))
    assert text == "2025-01-27 18:00"  # the way every page writes a time, in both languages


def test_nothing_reads_as_a_dash_and_booleans_as_words():
    with translation.override("en"):
        assert str(show(None)) == "—"
        assert str(show(True)) == "Yes"
