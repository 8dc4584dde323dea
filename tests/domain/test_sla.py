"""SLA clocks: the tender's targets on 5x8 and 7x24, pauses, re-grade replay, warnings."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.calendar import seven_by_twenty_four
from aftersales.domain.grading import Level
from aftersales.domain.holidays import china_five_by_eight
from aftersales.domain.sla import (
    DEFAULT_POLICY,
    ClockStatus,
    Event,
    Pause,
    Policy,
    TargetKind,
    TargetSpec,
    clock_state,
    compute_target,
    compute_targets,
    next_warning,
    state_at,
    threshold_instants,
)

CHINA = china_five_by_eight()
ALWAYS = seven_by_twenty_four()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def due_times(calendar, level=Level.L1, start="2025-01-27T18:00:00+08:00", pauses=()) -> dict[str, str]:
    return {clock.kind.value: clock.due_at.isoformat()
            for clock in compute_targets(DEFAULT_POLICY, level, at(start), calendar, pauses)}


# -- the tender's cases ---------------------------------------------------------------------


def test_an_l1_at_18_00_before_the_spring_festival_on_5x8():
    # 90 business minutes are left on 27 January; 28 Jan - 4 Feb are days off.
    assert due_times(CHINA) == {
        "respond": "2025-01-27T18:15:00+08:00",
        "diagnose": "2025-01-27T18:30:00+08:00",
        "on_site": "2025-02-05T12:00:00+08:00",
        "resolve": "2025-02-05T16:00:00+08:00",
        # 48 clock hours after the 8 business hours to resolve ran out.
        "loaner": "2025-02-07T16:00:00+08:00",
    }


def test_the_same_l1_on_7x24_counts_every_minute():
    assert due_times(ALWAYS) == {
        "respond": "2025-01-27T18:15:00+08:00",
        "diagnose": "2025-01-27T18:30:00+08:00",
        "on_site": "2025-01-27T22:00:00+08:00",
        "resolve": "2025-01-28T02:00:00+08:00",
        "loaner": "2025-01-30T02:00:00+08:00",
    }


def test_l3_and_l5_promise_fewer_and_slower_targets():
    assert due_times(ALWAYS, Level.L3) == {
        "respond": "2025-01-27T18:30:00+08:00",
        "diagnose": "2025-01-27T19:00:00+08:00",
        "on_site": "2025-01-28T18:00:00+08:00",
        "resolve": "2025-01-28T18:00:00+08:00",
    }
    assert due_times(ALWAYS, Level.L5) == {"respond": "2025-01-28T18:00:00+08:00"}


def test_a_year_whose_holidays_are_unknown_gives_provisional_due_times():
    far = compute_targets(DEFAULT_POLICY, Level.L3, at("2040-03-01T10:00:00+08:00"), CHINA)
    assert all(clock.provisional for clock in far)
    assert not any(clock.provisional for clock in compute_targets(DEFAULT_POLICY, Level.L3, at("2025-03-03T10:00:00+08:00"), CHINA))


# -- pauses --------------------------------------------------------------------------------


def test_waiting_for_the_customer_moves_the_due_time_by_the_business_time_paused():
    # Monday 3 March 2025, 10:00: respond in 30 business minutes, paused 10:10-10:40.
    pause = Pause(at("2025-03-03T10:10:00+08:00"), at("2025-03-03T10:40:00+08:00"), "waiting for logs")
    assert due_times(CHINA, Level.L3, "2025-03-03T10:00:00+08:00", [pause])["respond"] == "2025-03-03T11:00:00+08:00"


def test_a_pause_outside_business_hours_moves_nothing():
    pause = Pause(at("2025-03-03T20:00:00+08:00"), at("2025-03-04T08:00:00+08:00"))
    assert due_times(CHINA, Level.L3, "2025-03-03T19:10:00+08:00", [pause])["respond"] == "2025-03-04T09:40:00+08:00"


def test_a_pause_after_the_due_time_moves_nothing():
    pause = Pause(at("2025-03-03T12:00:00+08:00"), at("2025-03-03T13:00:00+08:00"))
    assert due_times(CHINA, Level.L3, "2025-03-03T10:00:00+08:00", [pause])["respond"] == "2025-03-03T10:30:00+08:00"


def test_a_running_pause_must_be_closed_before_due_times_are_computed():
    with pytest.raises(ValueError, match="running pause"):
        compute_targets(DEFAULT_POLICY, Level.L3, at("2025-03-03T10:00:00+08:00"), CHINA,
                        [Pause(at("2025-03-03T10:10:00+08:00"), None)])


# -- clock state and warnings ----------------------------------------------------------------


def test_clock_state_reports_business_minutes_used_and_left():
    respond = compute_targets(DEFAULT_POLICY, Level.L3, at("2025-03-03T19:20:00+08:00"), CHINA)[0]
    state = clock_state(respond, at("2025-03-04T09:40:00+08:00"), CHINA)
    # 10 minutes on Monday evening, 10 on Tuesday morning; the night does not count.
    assert (state.elapsed_minutes, state.remaining_minutes, state.fraction_used) == (20, 10, 20 / 30)
    assert state.status is ClockStatus.RUNNING


def test_clock_state_met_breached_and_paused():
    respond = compute_targets(DEFAULT_POLICY, Level.L3, at("2025-03-03T10:00:00+08:00"), CHINA)[0]
    assert clock_state(respond, at("2025-03-03T12:00:00+08:00"), CHINA, met_at=at("2025-03-03T10:20:00+08:00")).status is ClockStatus.MET
    assert clock_state(respond, at("2025-03-03T12:00:00+08:00"), CHINA, met_at=at("2025-03-03T10:31:00+08:00")).breached
    assert clock_state(respond, at("2025-03-03T10:31:00+08:00"), CHINA).breached
    paused = clock_state(respond, at("2025-03-03T10:25:00+08:00"), CHINA,
                         [Pause(at("2025-03-03T10:10:00+08:00"), None)])
    assert paused.status is ClockStatus.PAUSED
    assert paused.elapsed_minutes == 10


def test_warnings_at_half_three_quarters_and_the_due_time():
    on_site = compute_targets(DEFAULT_POLICY, Level.L1, at("2025-01-27T18:00:00+08:00"), CHINA)[2]
    instants = threshold_instants(on_site, CHINA)
    assert {k: v.isoformat() for k, v in instants.items()} == {
        50: "2025-02-05T10:00:00+08:00",   # 120 min: 90 on 27 Jan, 30 on 5 Feb
        75: "2025-02-05T11:00:00+08:00",
        100: "2025-02-05T12:00:00+08:00",
    }


def test_times_asked_for_in_utc_are_the_same_instants_written_in_utc():
    """The create stores UTC: it asks for it rather than converting from Beijing time."""
    start = at("2025-01-27T18:00:00+08:00")
    local = compute_targets(DEFAULT_POLICY, Level.L1, start, CHINA)
    in_utc = compute_targets(DEFAULT_POLICY, Level.L1, start, CHINA, tz=UTC)
    assert [c.due_at for c in in_utc] == [c.due_at for c in local]
    assert in_utc[2].due_at.isoformat() == "2025-02-05T04:00:00+00:00"  # 12:00 in Beijing
    assert {c.started_at.utcoffset() for c in in_utc} | {c.due_at.utcoffset() for c in in_utc} == {timedelta(0)}
    warnings = threshold_instants(in_utc[2], CHINA, tz=UTC)
    assert {k: v.isoformat() for k, v in warnings.items()} == {
        50: "2025-02-05T02:00:00+00:00", 75: "2025-02-05T03:00:00+00:00", 100: "2025-02-05T04:00:00+00:00"}


def test_warnings_come_in_order_after_the_last_one_fired():
    on_site = compute_targets(DEFAULT_POLICY, Level.L1, at("2025-01-27T18:00:00+08:00"), CHINA)[2]
    instants = threshold_instants(on_site, CHINA)
    assert next_warning(instants, 0) == (50, at("2025-02-05T10:00:00+08:00"))
    assert next_warning(instants, 50) == (75, at("2025-02-05T11:00:00+08:00"))
    assert next_warning(instants, 75) == (100, at("2025-02-05T12:00:00+08:00"))
    assert next_warning(instants, 100) is None
    with pytest.raises(ValueError):
        next_warning(instants, -1)


# -- replay ------------------------------------------------------------------------------------


def events_of_an_upgraded_ticket() -> list[Event]:
    return [
        Event("created", at("2025-03-03T10:00:00+08:00"), {"level": "L4"}),
        Event("target_met", at("2025-03-03T10:20:00+08:00"), {"kind": "respond"}),
        Event("regraded", at("2025-03-03T10:45:00+08:00"), {"to_level": "L2"}),
    ]


def test_replay_before_the_regrade_shows_the_l4_clocks():
    state = state_at(events_of_an_upgraded_ticket(), at("2025-03-03T10:40:00+08:00"), CHINA)
    assert state.level == Level.L4
    clocks = {c.kind: c for c in state.clocks}
    assert clocks[TargetKind.RESPOND].met
    assert clocks[TargetKind.DIAGNOSE].due_at == at("2025-03-03T11:00:00+08:00")


def test_replay_after_the_regrade_recomputes_open_targets_from_the_start_and_keeps_met_ones():
    state = state_at(events_of_an_upgraded_ticket(), at("2025-03-03T10:50:00+08:00"), CHINA)
    assert state.level == Level.L2
    clocks = {c.kind: c for c in state.clocks}
    # Respond was met under L4 (30 min) at 10:20: it stays met, although L2 allows 15 min.
    assert clocks[TargetKind.RESPOND].met
    assert clocks[TargetKind.RESPOND].due_at == at("2025-03-03T10:30:00+08:00")
    # Diagnose under L2 is 30 min from the start: already breached at 10:50.
    assert clocks[TargetKind.DIAGNOSE].due_at == at("2025-03-03T10:30:00+08:00")
    assert clocks[TargetKind.DIAGNOSE].breached
    assert TargetKind.LOANER in clocks


def test_replay_before_creation_has_no_clocks():
    assert state_at(events_of_an_upgraded_ticket(), at("2025-03-03T09:00:00+08:00"), CHINA).clocks == []


# -- properties ----------------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=CHINA.tz))
minutes = st.integers(min_value=1, max_value=5000)
calendars = st.sampled_from([CHINA, ALWAYS])


@st.composite
def pauses(draw, start):
    result = []
    cursor = start
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + timedelta(minutes=draw(st.integers(0, 3000)))
        end = begin + timedelta(minutes=draw(st.integers(0, 3000)))
        result.append(Pause(begin, end))
        cursor = end
    return result


@settings(max_examples=200, deadline=None)
@given(start=starts, a=minutes, b=minutes, calendar=calendars, business=st.booleans())
def test_due_times_never_get_earlier_with_more_minutes(start, a, b, calendar, business):
    low, high = sorted((a, b))
    due = lambda m: compute_target(TargetSpec(TargetKind.RESOLVE, m, business), start, calendar).due_at  # noqa: E731
    assert due(low) <= due(high)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts, amount=minutes, calendar=calendars, business=st.booleans())
def test_pauses_never_make_a_due_time_earlier(data, start, amount, calendar, business):
    spec = TargetSpec(TargetKind.RESOLVE, amount, business)
    paused = data.draw(pauses(start))
    assert compute_target(spec, start, calendar, paused).due_at >= compute_target(spec, start, calendar).due_at


@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=starts, amount=minutes, calendar=calendars, business=st.booleans())
def test_warnings_come_in_order_and_the_last_is_the_due_time(data, start, amount, calendar, business):
    paused = data.draw(pauses(start))
    target = compute_target(TargetSpec(TargetKind.RESOLVE, amount, business), start, calendar, paused)
    instants = threshold_instants(target, calendar, paused)
    assert target.started_at <= instants[50] <= instants[75] <= instants[100] == target.due_at


@settings(max_examples=100, deadline=None)
@given(data=st.data(), start=starts, amount=minutes, calendar=calendars)
def test_at_the_due_time_all_the_minutes_are_used(data, start, amount, calendar):
    paused = data.draw(pauses(start))
    target = compute_target(TargetSpec(TargetKind.RESOLVE, amount), start, calendar, paused)
    state = clock_state(target, target.due_at, calendar, paused)
    assert state.elapsed_minutes == pytest.approx(amount)
    assert state.status is not ClockStatus.BREACHED


def test_a_policy_whose_loaner_counts_from_a_missing_target_is_refused():
    policy = Policy({Level.L1: (TargetSpec(TargetKind.LOANER, 60, False, TargetKind.RESOLVE),)})
    with pytest.raises(ValueError, match="counts from"):
        compute_targets(policy, Level.L1, at("2025-03-03T10:00:00+08:00"), ALWAYS)
