"""Business-time calendar: properties that must hold for every start and duration, and
agreement with a minute-stepping reference that counts open minutes one at a time.

The reference also serves bench/sla_calendar.py. It reads the calendar's definition (time
zone, weekly hours, day overrides), never its interval table, so the two are independent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.domain.calendar import (
    FIVE_BY_EIGHT_HOURS,
    MICROSECONDS_PER_MINUTE,
    MIDNIGHT,
    SHANGHAI,
    BusinessCalendar,
    add_business_minutes,
    add_business_minutes_checked,
    business_minutes_between,
    business_time_between,
)
from aftersales.domain.holidays import china_covered_years, china_day_overrides

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


class MinuteSteppingReference:
    """The slow, obvious definition of business time, to one minute.

    Minute k after the local midnight of `first` is open when its local wall time lies in an
    opening interval of its local date (the override, else the weekday's hours). Deadlines
    step one minute at a time; business minutes between two instants count open minutes.
    Starts must be whole minutes (in UTC) inside [first, last]; opening hours whole minutes.
    """

    def __init__(
        self,
        tz: ZoneInfo,
        weekly_hours: Mapping[int, Sequence[tuple[time, time]]],
        day_overrides: Mapping[date, Sequence[tuple[time, time]]],
        first: date,
        last: date,
    ) -> None:
        self.tz = tz
        self.origin = datetime.combine(first, MIDNIGHT, tz).astimezone(UTC)
        flags = bytearray()
        plain_days: dict[tuple, bytes] = {}  # hours -> flags of a 24-hour day, built once
        day = first
        while day <= last:
            day_start = datetime.combine(day, MIDNIGHT, tz).astimezone(UTC)
            day_end = datetime.combine(day + DAY, MIDNIGHT, tz).astimezone(UTC)
            hours = day_overrides.get(day)
            if hours is None:
                hours = weekly_hours.get(day.weekday(), ())
            hours = tuple(hours)
            is_plain_day = (
                day_end - day_start == DAY
                and day_start.astimezone(tz).utcoffset()
                == (day_end - MINUTE).astimezone(tz).utcoffset()
            )
            if is_plain_day and hours in plain_days:
                flags += plain_days[hours]
            else:
                minutes = bytearray(
                    self._is_open((day_start + k * MINUTE).astimezone(tz).time(), hours)
                    for k in range((day_end - day_start) // MINUTE)
                )
                if is_plain_day:
                    plain_days[hours] = bytes(minutes)
                flags += minutes
            day += DAY
        self.open_minutes = flags

    @staticmethod
    def _is_open(wall: time, hours: Sequence[tuple[time, time]]) -> bool:
        return any(
            opens <= wall and (closes == MIDNIGHT or wall < closes) for opens, closes in hours
        )

    def index(self, moment: datetime) -> int:
        offset = moment - self.origin
        assert offset % MINUTE == timedelta(0), "the reference works in whole minutes"
        assert 0 <= offset // MINUTE <= len(self.open_minutes), "outside the reference's days"
        return offset // MINUTE

    def add(self, start: datetime, minutes: int) -> datetime:
        open_minutes = self.open_minutes
        k = self.index(start)
        while minutes > 0:
            if open_minutes[k]:
                minutes -= 1
            k += 1
        return (self.origin + k * MINUTE).astimezone(self.tz)

    def between(self, start: datetime, end: datetime) -> int:
        return sum(self.open_minutes[self.index(start) : self.index(end)])


# -- the calendars under test -----------------------------------------------------------------

CHINA_OVERRIDES = {
    day: (FIVE_BY_EIGHT_HOURS if is_workday else ())
    for day, is_workday in china_day_overrides().items()
}
FIVE_BY_EIGHT_WEEK = {weekday: FIVE_BY_EIGHT_HOURS for weekday in range(5)}
CHINA = BusinessCalendar(SHANGHAI, FIVE_BY_EIGHT_WEEK, CHINA_OVERRIDES, china_covered_years())
# Same calendar, but with a table of only two months: most instants take the walking path
# before and after the table, and many computations cross its edges.
CHINA_NARROW_TABLE = BusinessCalendar(
    SHANGHAI,
    FIVE_BY_EIGHT_WEEK,
    CHINA_OVERRIDES,
    china_covered_years(),
    precompute=(date(2025, 9, 15), date(2025, 11, 14)),
)

BERLIN = ZoneInfo("Europe/Berlin")
BERLIN_WEEK = {
    **{weekday: [(time(8), time(12)), (time(13), time(17, 30))] for weekday in range(5)},
    5: [(time(9), time(12))],
    6: [(time(22), MIDNIGHT)],
}
BERLIN_DAYS_OFF = {date(2025, 4, 18): (), date(2025, 12, 25): (), date(2025, 10, 26): ()}
# Lunch breaks, a Saturday morning, a Sunday night shift closing at midnight, and both
# changes of clocks (30 March and 26 October 2025); the table ends on 30 November.
BERLIN_OFFICE = BusinessCalendar(
    BERLIN,
    BERLIN_WEEK,
    BERLIN_DAYS_OFF,
    covered=(date(2025, 1, 1), date(2025, 12, 31)),
    precompute=(date(2025, 2, 1), date(2025, 11, 30)),
)

# Starts run to 30 November 2026; 40 days later is still inside (days after the last
# covered year follow the weekly hours, as the calendar assumes for them).
CHINA_RANGE = (date(2024, 6, 1), date(2027, 1, 31))
BERLIN_RANGE = (date(2025, 1, 1), date(2026, 1, 31))


@functools.cache
def china_reference() -> MinuteSteppingReference:
    return MinuteSteppingReference(SHANGHAI, FIVE_BY_EIGHT_WEEK, CHINA_OVERRIDES, *CHINA_RANGE)


@functools.cache
def berlin_reference() -> MinuteSteppingReference:
    return MinuteSteppingReference(BERLIN, BERLIN_WEEK, BERLIN_DAYS_OFF, *BERLIN_RANGE)


# -- strategies --------------------------------------------------------------------------------

EDGE_TIMES = [time(0), time(8), time(9, 29), time(9, 30), time(11, 59), time(12), time(13),
              time(17, 29), time(17, 30), time(19, 29), time(19, 30), time(22), time(23, 59)]  # fmt: skip


def whole_minute_starts(tz: ZoneInfo, first: date, last: date) -> st.SearchStrategy[datetime]:
    """Aware starts on whole minutes, often exactly at an opening or closing time."""
    wall_times = st.one_of(
        st.sampled_from(EDGE_TIMES),
        st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
    )
    return st.builds(
        lambda day, wall: datetime.combine(day, wall, tz).astimezone(UTC).astimezone(tz),
        st.dates(first, last),
        wall_times,
    )


def starts_with_seconds(tz: ZoneInfo, first: date, last: date) -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda start, extra: start + timedelta(microseconds=extra),
        whole_minute_starts(tz, first, last),
        st.one_of(st.just(0), st.integers(0, 60_000_000 - 1)),
    )


minutes = st.one_of(
    st.sampled_from([0, 1, 15, 30, 60, 240, 480, 599, 600, 601, 1200]),
    st.integers(0, 3000),
)

# Starts leave room for 3000 business minutes (five working days plus the longest
# holiday) before the end of the reference's range.
china_starts = whole_minute_starts(SHANGHAI, date(2024, 6, 1), date(2026, 11, 30))
china_starts_with_seconds = starts_with_seconds(SHANGHAI, date(2024, 6, 1), date(2026, 11, 30))
berlin_starts = whole_minute_starts(BERLIN, date(2025, 1, 1), date(2025, 12, 31))
berlin_starts_with_seconds = starts_with_seconds(BERLIN, date(2025, 1, 1), date(2025, 12, 31))
calendars_and_starts = st.one_of(
    st.tuples(st.just(CHINA), china_starts_with_seconds),
    st.tuples(st.just(CHINA_NARROW_TABLE), china_starts_with_seconds),
    st.tuples(st.just(BERLIN_OFFICE), berlin_starts_with_seconds),
)
slow_reference = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# -- agreement with the reference ---------------------------------------------------------------


@slow_reference
@given(start=china_starts, minutes=minutes)
def test_china_deadlines_agree_with_minute_stepping(start, minutes):
    assert add_business_minutes(CHINA, start, minutes) == china_reference().add(start, minutes)


@slow_reference
@given(start=china_starts, minutes=minutes)
def test_walking_outside_the_table_agrees_with_minute_stepping(start, minutes):
    expected = china_reference().add(start, minutes)
    assert add_business_minutes(CHINA_NARROW_TABLE, start, minutes) == expected


@slow_reference
@given(start=berlin_starts, minutes=minutes)
def test_lunch_breaks_and_changes_of_clocks_agree_with_minute_stepping(start, minutes):
    assert add_business_minutes(BERLIN_OFFICE, start, minutes) == berlin_reference().add(
        start, minutes
    )


@slow_reference
@given(start=china_starts, wall_minutes=st.integers(0, 40 * 24 * 60))
def test_china_business_minutes_between_agree_with_counting(start, wall_minutes):
    end = start + wall_minutes * MINUTE
    expected = china_reference().between(start, end)
    assert business_minutes_between(CHINA, start, end) == expected
    assert business_minutes_between(CHINA_NARROW_TABLE, start, end) == expected


@slow_reference
@given(start=berlin_starts, wall_minutes=st.integers(0, 20 * 24 * 60))
def test_berlin_business_minutes_between_agree_with_counting(start, wall_minutes):
    end = (start.astimezone(UTC) + wall_minutes * MINUTE).astimezone(BERLIN)
    assert business_minutes_between(BERLIN_OFFICE, start, end) == berlin_reference().between(
        start, end
    )


# -- properties for every start, seconds included --------------------------------------------------


@given(case=calendars_and_starts, a=minutes, b=minutes)
def test_more_minutes_never_give_an_earlier_deadline(case, a, b):
    calendar, start = case
    fewer, more = sorted((a, b))
    assert add_business_minutes(calendar, start, fewer) <= add_business_minutes(
        calendar, start, more
    )


@given(case=calendars_and_starts, later_by=st.integers(0, 5 * 24 * 3600 * 10**6), n=minutes)
def test_a_later_start_never_gives_an_earlier_deadline(case, later_by, n):
    calendar, start = case
    later = start + timedelta(microseconds=later_by)
    assert add_business_minutes(calendar, start, n) <= add_business_minutes(calendar, later, n)


@given(case=calendars_and_starts, a=minutes, b=minutes)
def test_deadlines_add_up(case, a, b):
    """deadline(deadline(s, a), b) == deadline(s, a + b) exactly, for every start (seconds
    included) and all a, b >= 0. The closing-time rule is what makes it hold: when
    deadline(s, a) is a closing time, b > 0 counts from the next opening, as the a + b
    minutes do; b == 0 keeps the closing time, a == 0 keeps the start."""
    calendar, start = case
    in_two_steps = add_business_minutes(calendar, add_business_minutes(calendar, start, a), b)
    assert in_two_steps == add_business_minutes(calendar, start, a + b)


@given(case=calendars_and_starts, n=minutes)
def test_business_minutes_up_to_a_deadline_are_the_minutes_asked_for(case, n):
    calendar, start = case
    assert business_minutes_between(calendar, start, add_business_minutes(calendar, start, n)) == n


@given(case=calendars_and_starts, n=minutes)
def test_a_deadline_is_the_earliest_such_instant(case, n):
    calendar, start = case
    due = add_business_minutes(calendar, start, n)
    if due > start:
        just_before = due - timedelta(microseconds=1)
        assert business_time_between(calendar, start, just_before) < n * MINUTE


@given(case=calendars_and_starts, gap=st.integers(0, 30 * 24 * 60), seconds=st.integers(0, 59))
def test_going_back_from_business_time_lands_no_later_than_the_end(case, gap, seconds):
    """add(a, between(a, b)) == b only when b is inside opening hours (or a == b); from a
    closed b it lands on the last closing time before b, with no business time between."""
    calendar, start = case
    end = start + timedelta(minutes=gap, seconds=seconds)
    elapsed = business_time_between(calendar, start, end)
    whole_minutes, rest = divmod(elapsed, MINUTE)
    if rest:
        return
    back = add_business_minutes(calendar, start, whole_minutes)
    assert back <= end
    assert business_time_between(calendar, back, end) == timedelta(0)


@given(case=calendars_and_starts, first=st.integers(0, 10**13), second=st.integers(0, 10**13))
def test_business_time_between_adds_up_and_never_exceeds_elapsed_time(case, first, second):
    calendar, start = case
    middle = start + timedelta(microseconds=first)
    end = middle + timedelta(microseconds=second)
    whole = business_time_between(calendar, start, end)
    assert whole == business_time_between(calendar, start, middle) + business_time_between(
        calendar, middle, end
    )
    assert timedelta(0) <= whole <= end - start


@given(case=calendars_and_starts, amounts=st.lists(minutes.filter(bool), max_size=4))
def test_several_deadlines_from_one_start_are_each_deadline(case, amounts):
    calendar, start = case
    start_us = _to_us(start)
    amounts_us = [amount * MICROSECONDS_PER_MINUTE for amount in amounts]
    assert calendar.deadlines_us(start_us, amounts_us) == [
        calendar.deadline_us(start_us, amount) for amount in amounts_us
    ]
    assert [calendar.deadline_us(start_us, amount) for amount in amounts_us] == [
        _to_us(add_business_minutes(calendar, start, amount)) for amount in amounts
    ]


def _to_us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


# -- provisional -----------------------------------------------------------------------------------

last_covered_year = max(china_covered_years())
around_the_end_of_coverage = whole_minute_starts(
    SHANGHAI, date(last_covered_year, 11, 1), date(last_covered_year + 1, 1, 31)
)


@given(start=around_the_end_of_coverage, n=minutes)
def test_provisional_exactly_when_an_uncovered_day_is_crossed(start, n):
    result = add_business_minutes_checked(CHINA, start, n)
    assert result.at == add_business_minutes(CHINA, start, n)
    end = result.at
    if end.time() == MIDNIGHT and end > start:
        end -= DAY  # a deadline at 24:00 ends the previous day
    days = [start.date() + k * DAY for k in range((end.date() - start.date()).days + 1)]
    crosses_uncovered_day = any(day.year > last_covered_year for day in days)
    # Zero minutes count nothing, so they assume nothing about any day.
    assert result.provisional == (n > 0 and crosses_uncovered_day)
