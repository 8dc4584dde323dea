"""How values read on the pages."""

import datetime

from django.utils import translation

from aftersales.core.templatetags.ui import show


def test_a_stored_utc_time_reads_as_shanghai_time():
    stored = datetime.datetime(2025, 1, 27, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai
    with translation.override("en"):
        text = str(show(stored))
    assert "18:00" in text or "6:00 p.m." in text or "6 p.m." in text, text
    assert "10:00" not in text and "10 a.m." not in text, text


def test_nothing_reads_as_a_dash_and_booleans_as_words():
    with translation.override("en"):
        assert str(show(None)) == "—"
        assert str(show(True)) == "Yes"
