"""Warranty arithmetic: last covered day, coverage per component, card and notice dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.warranty import (
    Term,
    add_months,
    card_due,
    coverage,
    latest_acceptance_with_card_overdue,
    notice_dates,
    notice_due,
    warranty_end,
)

WHOLE_24 = Term(id=1, component=None, months=24, label="whole system")
CORE_72 = Term(id=2, component="CORE", months=72, label="core unit")
ACCEPTED = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # no 31 Feb: covered through the leap day
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 15), 24, date(2026, 3, 14)),
        (date(2024, 1, 1), 12, date(2024, 12, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 Feb 2025
        (date(2024, 12, 1), 1, date(2024, 12, 31)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
    ],
)
def test_warranty_end_is_the_last_covered_day(start, months, last_day):
    assert warranty_end(start, months) == last_day


def test_negative_months_are_refused():
    with pytest.raises(ValueError):
        warranty_end(ACCEPTED, -1)


def test_core_unit_outlives_the_whole_system_warranty():
    month_60 = add_months(ACCEPTED, 60)
    core = coverage([WHOLE_24, CORE_72], ACCEPTED, "CORE", month_60)
    power_supply = coverage([WHOLE_24, CORE_72], ACCEPTED, "PSU", month_60)

    assert core.covered
    assert core.until == date(2030, 3, 14)
    assert core.term == CORE_72
    assert not power_supply.covered
    assert power_supply.until == date(2026, 3, 14)
    assert power_supply.term == WHOLE_24


def test_whole_system_is_covered_only_by_whole_system_terms():
    result = coverage([WHOLE_24, CORE_72], ACCEPTED, None, date(2027, 1, 1))
    assert not result.covered
    assert result.term == WHOLE_24


def test_coverage_starts_on_acceptance_and_stops_after_the_last_day():
    terms = [WHOLE_24]
    assert not coverage(terms, ACCEPTED, None, ACCEPTED - timedelta(days=1)).covered
    assert coverage(terms, ACCEPTED, None, ACCEPTED).covered
    assert coverage(terms, ACCEPTED, None, date(2026, 3, 14)).covered
    assert not coverage(terms, ACCEPTED, None, date(2026, 3, 15)).covered


def test_unit_not_accepted_is_not_covered():
    result = coverage([WHOLE_24], None, None, date(2025, 1, 1))
    assert result == coverage([WHOLE_24], None, "CORE", date(2025, 1, 1))
    assert not result.covered
    assert result.until is None
    assert result.starts is None


def test_unit_without_terms_is_not_covered_but_keeps_its_start():
    result = coverage([], ACCEPTED, None, ACCEPTED)
    assert not result.covered
    assert result.until is None
    assert result.starts == ACCEPTED


def test_same_end_prefers_the_component_term():
    core_24 = Term(id=3, component="CORE", months=24)
    assert coverage([WHOLE_24, core_24], ACCEPTED, "CORE", ACCEPTED).term == core_24


def test_card_is_due_one_month_after_acceptance():
    assert card_due(date(2025, 3, 1)) == date(2025, 4, 1)
    assert card_due(date(2024, 1, 31)) == date(2024, 2, 29)


def test_notice_dates_are_90_and_30_days_before_the_end():
    assert notice_dates(date(2026, 3, 14)) == [(90, date(2025, 12, 14)), (30, date(2026, 2, 12))]


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(120, None), (91, None), (90, 90), (31, 90), (30, 30), (0, 30), (-1, None)],
)
def test_the_tightest_notice_window_is_due(days_left, due):
    end = date(2026, 3, 14)
    assert notice_due(end, end - timedelta(days=days_left)) == due


# --- properties -----------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=0, max_value=600)
term_lists = st.lists(
    st.builds(
        Term,
        id=st.integers(1, 10**6),
        component=st.sampled_from([None, "CORE", "PSU"]),
        months=st.integers(1, 240),
    ),
    max_size=5,
)
components = st.sampled_from([None, "CORE", "PSU", "FAN"])


@given(days, st.integers(0, 599))
def test_more_months_end_later(start, m):
    assert warranty_end(start, m + 1) > warranty_end(start, m)


@given(days, days, months)
def test_a_later_start_never_ends_earlier(a, b, m):
    early, late = sorted([a, b])
    assert warranty_end(early, m) <= warranty_end(late, m)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)).filter(
        lambda d: d.day <= 28
    ),
    st.integers(0, 300),
    st.integers(0, 300),
)
def test_chained_warranties_add_up_when_the_day_exists_in_every_month(start, a, b):
    # Days 1-28 exist in every month, so the day after the first term is the same day of
    # the month and a second term continues exactly where a longer single term would.
    assert warranty_end(warranty_end(start, a) + timedelta(days=1), b) == warranty_end(start, a + b)


@given(term_lists, days, components, days, days)
def test_once_ended_coverage_never_comes_back(terms, accepted, component, a, b):
    first, later = sorted([a, b])
    result = coverage(terms, accepted, component, first)
    if not result.covered and result.until is not None and first > result.until:
        assert not coverage(terms, accepted, component, later).covered


@given(term_lists, days, components, days)
def test_coverage_never_ends_before_acceptance(terms, accepted, component, on):
    result = coverage(terms, accepted, component, on)
    if result.until is not None:
        assert result.until >= accepted
    assert result.covered == (result.until is not None and accepted <= on <= result.until)


@given(
    term_lists,
    st.builds(
        Term,
        id=st.just(0),
        component=st.sampled_from([None, "CORE", "PSU"]),
        months=st.integers(1, 240),
    ),
    days,
    components,
    days,
)
def test_adding_a_term_never_reduces_coverage(terms, extra, accepted, component, on):
    before = coverage(terms, accepted, component, on)
    after = coverage([*terms, extra], accepted, component, on)
    assert after.covered >= before.covered
    if before.until is not None:
        assert after.until >= before.until


@given(days)
def test_card_overdue_threshold_matches_card_due(today):
    threshold = latest_acceptance_with_card_overdue(today)
    assert card_due(threshold) < today
    assert card_due(threshold + timedelta(days=1)) >= today


@given(days, days)
def test_notice_is_due_only_within_90_days_before_the_end(end, today):
    due = notice_due(end, today)
    left = (end - today).days
    assert (due is not None) == (0 <= left <= 90)
    if due is not None:
        assert left <= due
