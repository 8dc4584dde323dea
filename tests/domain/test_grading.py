"""Five-level fault grading: the table from the tenders, its boundaries and re-grading."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.calendar import SHANGHAI
from aftersales.domain.grading import (
    Impact,
    Level,
    RequestCategory,
    grade,
    next_regrade_at,
    regrade_thresholds,
)

CORE, MINOR, NONE = Impact.CORE_FUNCTION, Impact.MINOR_FUNCTION, Impact.NONE
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)


@pytest.mark.parametrize(
    "outage, impact, expected",
    [
        # L1: more than 4 h, whatever is affected.
        (4 * H + M, CORE, Level.L1),
        (4 * H + M, MINOR, Level.L1),
        (30 * H, MINOR, Level.L1),
        # L2: more than 2 h, up to 4 h.
        (4 * H, CORE, Level.L2),
        (3 * H, CORE, Level.L2),
        (2 * H + US, MINOR, Level.L2),
        (4 * H, MINOR, Level.L2),
        # L3: more than 1 h, up to 2 h, core function affected.
        (2 * H, CORE, Level.L3),
        (90 * M, CORE, Level.L3),
        (H + US, CORE, Level.L3),
        # L4: up to 1 h with a core function affected ...
        (H, CORE, Level.L4),
        (10 * M, CORE, Level.L4),
        (timedelta(0), CORE, Level.L4),
        # ... or a minor function unusable for more than 1 h, up to 2 h.
        (H + US, MINOR, Level.L4),
        (2 * H, MINOR, Level.L4),
        # L5: up to 1 h with a minor function unusable, or nothing affected.
        (H, MINOR, Level.L5),
        (5 * M, MINOR, Level.L5),
        (timedelta(0), NONE, Level.L5),
        (10 * H, NONE, Level.L5),
    ],
)
def test_grading_table(outage, impact, expected):
    assert grade(outage, impact) == expected


@pytest.mark.parametrize(
    "category", [RequestCategory.CONSULTATION, RequestCategory.CONFIGURATION_CHANGE]
)
def test_consultation_and_configuration_requests_are_l5(category):
    assert grade(timedelta(0), NONE, category) == Level.L5
    assert grade(5 * H, CORE, category) == Level.L5


def test_a_fault_is_graded_by_its_outage_and_impact():
    assert grade(5 * H, CORE, RequestCategory.FAULT) == Level.L1
    assert grade(10 * M, CORE, "fault") == Level.L4


def test_an_l4_that_goes_on_becomes_l3_then_l2_then_l1():
    levels = [grade(minutes * M, CORE) for minutes in (30, 61, 121, 241)]
    assert levels == [Level.L4, Level.L3, Level.L2, Level.L1]


def test_a_minor_fault_that_goes_on_climbs_one_step_then_by_duration():
    levels = [grade(minutes * M, MINOR) for minutes in (30, 61, 121, 241)]
    assert levels == [Level.L5, Level.L4, Level.L2, Level.L1]


def test_values_from_the_database_are_accepted():
    assert grade(3 * H, "core") == Level.L2
    assert grade(3 * H, "core") == "L2"


def test_a_negative_outage_is_refused():
    with pytest.raises(ValueError, match="negative"):
        grade(-M, CORE)


def test_an_unknown_impact_is_refused():
    with pytest.raises(ValueError):
        grade(H, "catastrophic")


def test_l1_is_the_most_severe():
    assert Level.L1.is_worse_than(Level.L2)
    assert not Level.L5.is_worse_than(Level.L4)
    assert [level.rank for level in Level] == [1, 2, 3, 4, 5]


@given(
    shorter=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    longer=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    impact=st.sampled_from(Impact),
)
def test_a_longer_outage_is_never_graded_less_severe(shorter, longer, impact):
    shorter, longer = sorted((shorter, longer))
    assert grade(longer, impact).rank <= grade(shorter, impact).rank


@given(outage=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_a_core_function_is_never_graded_less_severe_than_a_minor_one(outage):
    assert grade(outage, CORE).rank <= grade(outage, MINOR).rank <= grade(outage, NONE).rank


# -- re-grading while an outage goes on -----------------------------------------------------

STARTED = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)


def test_regrade_thresholds_are_one_two_and_four_hours():
    assert regrade_thresholds() == (H, 2 * H, 4 * H)


@pytest.mark.parametrize(
    "level, impact, crossed",
    [
        (Level.L4, CORE, H),
        (Level.L3, CORE, 2 * H),
        (Level.L2, CORE, 4 * H),
        (Level.L5, MINOR, H),
        (Level.L4, MINOR, 2 * H),
        (Level.L2, MINOR, 4 * H),
    ],
)
def test_next_regrade_is_just_past_the_threshold_that_worsens_the_level(level, impact, crossed):
    due = next_regrade_at(STARTED, level, impact=impact)
    assert due == STARTED + crossed + US
    # A worker firing at the due time sees the worse level; a moment before, the old one.
    assert grade(due - STARTED, impact).is_worse_than(level)
    assert grade(due - US - STARTED, impact) == level


def test_nothing_is_worse_than_l1():
    assert next_regrade_at(STARTED, Level.L1) is None


def test_nothing_affected_is_never_regraded():
    assert next_regrade_at(STARTED, Level.L5, impact=NONE) is None


def test_a_manual_upgrade_waits_for_the_threshold_beyond_it():
    # Upgraded by hand from L4 to L2 (the customer keeps chasing): next stop L1 at 4 h.
    assert next_regrade_at(STARTED, Level.L2, impact=CORE) == STARTED + 4 * H + US


def test_a_manual_downgrade_is_not_undone_by_a_threshold_already_passed():
    # Downgraded by hand to L5 at 1 h 30 min (a proven prevention mechanism): the 1 h
    # threshold is past; the outage still becomes L2 after 2 h.
    downgraded_at = STARTED + 90 * M
    due = next_regrade_at(STARTED, Level.L5, impact=CORE, after=downgraded_at)
    assert due == STARTED + 2 * H + US
