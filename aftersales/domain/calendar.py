"""Business-time arithmetic: when N business minutes have passed, and how many business
minutes lie between two instants, on a service calendar such as 5x8 or 7x24.

Pure Python (no Django, no clock). Inputs are aware datetimes in any time zone; results are
in the calendar's own time zone (Asia/Shanghai for the built-in calendars).

Representation (see docs/decisions/0005-business-calendar-arithmetic.md): a calendar turns
every local day of a precomputed range into its opening intervals, as UTC instants counted
in integer microseconds since the Unix epoch, merged and sorted, with the business time
accumulated before and up to the end of each interval. Both directions are then one or two
binary searches (`bisect`) over those arrays: O(log n) in the number of intervals, no
stepping minute by minute or day by day. Days outside the precomputed range (far past or
future, more than a year beyond the known schedule) are walked one day at a time; that path
is only for such out-of-range instants.

Rules:

- The deadline is the earliest instant at which N business minutes have passed since the
  start. A start outside business hours counts from the next opening. A deadline that falls
  exactly on a closing time is that closing time, not the next opening.
- Zero minutes returns the start itself (the same instant, expressed in the calendar's
  time zone), even outside business hours: nothing has to pass, so nothing moves.
- Negative minutes raise ValueError; naive datetimes raise ValueError.
- Seconds and microseconds are kept exactly: a start at 19:29:30 has 30 business seconds
  left that day, and a one-minute deadline is 30 seconds after the next opening.
- Days whose official schedule is unknown (outside the calendar's covered dates) follow the
  weekly hours (plain Monday to Friday for 5x8) unless a day override is given for them;
  a deadline computed across such a day is *provisional* (`add_business_minutes_checked`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

OpeningHours = Sequence[tuple[time, time]]
"""Opening intervals of one day as (opens, closes) local wall times. A closing time of
00:00 means the end of the day (24:00)."""

MICROSECONDS_PER_MINUTE = 60_000_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
MIDNIGHT = time(0)
FIVE_BY_EIGHT_HOURS: tuple[tuple[time, time], ...] = ((time(9, 30), time(19, 30)),)
ALL_DAY: tuple[tuple[time, time], ...] = ((MIDNIGHT, MIDNIGHT),)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
# How far the precomputed table reaches beyond the first and last known day (covered
# years and day overrides): a year back for late recomputations, two years ahead so that
# provisional deadlines into a not yet published year stay on the fast path.
_TABLE_MARGIN_BEFORE = timedelta(days=366)
_TABLE_MARGIN_AFTER = timedelta(days=731)


def _to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _ONE_MICROSECOND


class Deadline(NamedTuple):
    """A computed deadline. `provisional` is True when the computation crossed a day whose
    official schedule (holidays, make-up working days) the calendar does not know yet, so
    the weekly hours were assumed for it; loading that year may move the deadline. (A named
    tuple rather than a frozen dataclass: it is built once per deadline in the hot path.)"""

    at: datetime
    provisional: bool


class BusinessCalendar:
    """Opening hours per weekday, day overrides, and the dates whose schedule is known.

    - `tz`: the calendar's time zone; wall times and day boundaries are read in it.
    - `weekly_hours`: weekday (Monday = 0 ... Sunday = 6) -> opening intervals; a missing
      weekday is closed.
    - `day_overrides`: date -> opening intervals for that day, replacing the weekly hours
      (a holiday is `[]`, a make-up working day carries the normal working hours). Overrides
      apply whether or not the day is covered: an administrator's day off in a year whose
      official schedule is not loaded yet is still a day off.
    - `covered`: the dates whose official schedule is known: a set of years, an inclusive
      `(first_date, last_date)`, or None when no day depends on a published schedule (7x24,
      or a company calendar without public holidays), so nothing is ever provisional.
    - `precompute`: optional inclusive `(first_date, last_date)` range for the fast table;
      by default the known days (covered and overridden) plus a margin either side.
    """

    __slots__ = (
        "tz",
        "_weekly",
        "_overrides",
        "_always_open",
        "_covered_starts",
        "_covered_ends",
        "_everything_covered",
        "_table_start",
        "_table_end",
        "_opens",
        "_closes",
        "_before",
        "_through",
        "_total",
    )

    def __init__(
        self,
        tz: ZoneInfo,
        weekly_hours: Mapping[int, OpeningHours],
        day_overrides: Mapping[date, OpeningHours] | None = None,
        covered: Iterable[int] | tuple[date, date] | None = None,
        *,
        precompute: tuple[date, date] | None = None,
    ) -> None:
        self.tz = tz
        for weekday in weekly_hours:
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
        self._weekly = tuple(_checked_hours(weekly_hours.get(day, ())) for day in range(7))
        if not any(self._weekly):
            raise ValueError("the weekly hours must open at least once a week")
        self._overrides = {
            day: _checked_hours(hours) for day, hours in (day_overrides or {}).items()
        }
        self._always_open = all(hours == ALL_DAY for hours in self._weekly) and all(
            hours == ALL_DAY for hours in self._overrides.values()
        )

        runs = _covered_runs(covered)
        self._everything_covered = runs is None
        self._covered_starts = [self._midnight_us(first) for first, _ in runs or ()]
        self._covered_ends = [self._midnight_us(last + _ONE_DAY) for _, last in runs or ()]

        if precompute is None:
            known = [day for run in runs or () for day in run] + list(self._overrides)
            if known:
                precompute = (min(known) - _TABLE_MARGIN_BEFORE, max(known) + _TABLE_MARGIN_AFTER)
        self._build_table(precompute)

    # -- construction -------------------------------------------------------------------

    def _midnight_us(self, day: date) -> int:
        return _to_us(datetime.combine(day, MIDNIGHT, tzinfo=self.tz))

    def hours_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The opening intervals of a local day: its override, else its weekday's hours."""
        hours = self._overrides.get(day)
        return self._weekly[day.weekday()] if hours is None else hours

    def _day_intervals(self, day: date) -> list[tuple[int, int]]:
        intervals: list[tuple[int, int]] = []
        for opens, closes in self.hours_on(day):
            opens_us = _to_us(datetime.combine(day, opens, tzinfo=self.tz))
            closing_day = day + _ONE_DAY if closes == MIDNIGHT else day
            closes_us = _to_us(datetime.combine(closing_day, closes, tzinfo=self.tz))
            # A wall time that a daylight-saving jump skips is read with the old offset, so
            # an interval may start before the previous one ends or vanish: keep the
            # intervals ordered and disjoint, which the binary searches rely on.
            if intervals and opens_us < intervals[-1][1]:
                opens_us = intervals[-1][1]
            if closes_us > opens_us:
                intervals.append((opens_us, closes_us))
        return intervals

    def _build_table(self, days: tuple[date, date] | None) -> None:
        opens: list[int] = []
        closes: list[int] = []
        if days is None:
            # No known day to centre a table on: every instant takes the walking path.
            self._table_start = self._table_end = 0
        else:
            first, last = days
            if last < first:
                raise ValueError("precompute range ends before it starts")
            self._table_start = self._midnight_us(first)
            self._table_end = self._midnight_us(last + _ONE_DAY)
            day = first
            while day <= last:
                for opens_us, closes_us in self._day_intervals(day):
                    if closes and opens_us <= closes[-1]:
                        # Back-to-back intervals (a 7x24 day ending where the next begins)
                        # are stored as one: the instant between them is no closing time.
                        closes[-1] = max(closes[-1], closes_us)
                    else:
                        opens.append(opens_us)
                        closes.append(closes_us)
                day += _ONE_DAY
        # A closed, empty sentinel interval at the table's end: every instant inside the
        # table then has a next interval, which spares a bounds check in the hot path.
        opens.append(self._table_end)
        closes.append(self._table_end)
        before, through, total = [], [], 0
        for opens_us, closes_us in zip(opens, closes, strict=True):
            before.append(total)
            total += closes_us - opens_us
            through.append(total)
        self._opens, self._closes = opens, closes
        self._before, self._through, self._total = before, through, total

    # -- the core, in epoch microseconds ------------------------------------------------

    def deadline_us(self, start_us: int, business_us: int) -> int:
        """The instant (epoch microseconds) at which `business_us` business microseconds
        (> 0) have passed since `start_us`. The core of `add_business_minutes`, exposed for
        batch callers; arguments are not checked."""
        if self._table_start <= start_us < self._table_end:
            # The sentinel interval at the table's end makes `index` always valid here.
            index = bisect_right(self._closes, start_us)
            opens_us = self._opens[index]
            target = self._before[index] + business_us
            if start_us > opens_us:
                target += start_us - opens_us
            if target <= self._total:
                # The first interval whose business time reaches the target: a target
                # that ends an interval exactly lands on its closing time.
                index = bisect_left(self._through, target)
                return self._opens[index] + target - self._before[index]
            return self._walk_deadline(self._table_end, target - self._total, None)[0]
        return self._deadline_outside_table(start_us, business_us)

    def deadlines_us(self, start_us: int, business_us: Iterable[int]) -> list[int]:
        """`deadline_us` for several amounts (each > 0) from one start, such as a ticket's
        respond, on-site and resolve targets: the start's position is searched once."""
        if not self._table_start <= start_us < self._table_end:
            return [self._deadline_outside_table(start_us, amount) for amount in business_us]
        opens, before, through, total = self._opens, self._before, self._through, self._total
        index = bisect_right(self._closes, start_us)
        position = before[index]
        if start_us > opens[index]:
            position += start_us - opens[index]
        deadlines = []
        for amount in business_us:
            target = position + amount
            if target <= total:
                index = bisect_left(through, target)
                deadlines.append(opens[index] + target - before[index])
            else:
                deadlines.append(self._walk_deadline(self._table_end, target - total, None)[0])
        return deadlines

    def _deadline_outside_table(self, start_us: int, business_us: int) -> int:
        if self._always_open:
            return start_us + business_us
        if start_us < self._table_start:
            result, business_us = self._walk_deadline(start_us, business_us, self._table_start)
            if result is not None:
                return result
            return self.deadline_us(self._table_start, business_us)
        return self._walk_deadline(start_us, business_us, None)[0]

    def business_us_between(self, start_us: int, end_us: int) -> int:
        """Business microseconds in [start_us, end_us) (start_us <= end_us, unchecked)."""
        if self._always_open:
            return end_us - start_us
        total = 0
        if start_us < self._table_start:
            stop = min(end_us, self._table_start)
            total += self._walk_between(start_us, stop)
            start_us = stop
        if start_us < end_us and start_us < self._table_end:
            stop = min(end_us, self._table_end)
            total += self._position(stop) - self._position(start_us)
            start_us = stop
        if start_us < end_us:
            total += self._walk_between(start_us, end_us)
        return total

    def _position(self, moment_us: int) -> int:
        """Business microseconds from the table's start to `moment_us` inside the table."""
        if moment_us >= self._table_end:
            return self._total
        index = bisect_right(self._closes, moment_us)
        opens_us = self._opens[index]
        return self._before[index] + (moment_us - opens_us if moment_us > opens_us else 0)

    def _local_day(self, moment_us: int) -> date:
        return (_EPOCH + timedelta(microseconds=moment_us)).astimezone(self.tz).date()

    def _walk_deadline(
        self, start_us: int, business_us: int, stop_us: int | None
    ) -> tuple[int | None, int]:
        """Outside the table: walk day by day. Returns (deadline, 0), or (None, what is
        left) when `stop_us` (a local midnight) is reached first."""
        day = self._local_day(start_us)
        while True:
            for opens_us, closes_us in self._day_intervals(day):
                if closes_us <= start_us:
                    continue
                if stop_us is not None and opens_us >= stop_us:
                    return None, business_us
                begin = max(opens_us, start_us)
                if business_us <= closes_us - begin:
                    return begin + business_us, 0
                business_us -= closes_us - begin
            day += _ONE_DAY
            if stop_us is not None and self._midnight_us(day) >= stop_us:
                return None, business_us

    def _walk_between(self, start_us: int, end_us: int) -> int:
        total = 0
        day = self._local_day(start_us)
        while self._midnight_us(day) < end_us:
            for opens_us, closes_us in self._day_intervals(day):
                overlap = min(closes_us, end_us) - max(opens_us, start_us)
                if overlap > 0:
                    total += overlap
            day += _ONE_DAY
        return total

    # -- coverage -----------------------------------------------------------------------

    def covers_us(self, start_us: int, end_us: int) -> bool:
        """Whether every local day from `start_us` up to `end_us` has a known schedule. An
        `end_us` at the midnight closing a covered day still counts as covered."""
        if self._everything_covered:
            return True
        index = bisect_right(self._covered_starts, start_us) - 1
        return index >= 0 and end_us <= self._covered_ends[index]

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether every local day from `start` to `end` has a known official schedule, so
        business time between them is final rather than provisional."""
        return self.covers_us(_aware_us(start, "start"), _aware_us(end, "end"))


def _checked_hours(hours: OpeningHours) -> tuple[tuple[time, time], ...]:
    """Sorted opening intervals of one day; raises ValueError on an empty, overlapping or
    time-zone-carrying interval."""

    def offset(moment: time, is_close: bool) -> timedelta:
        if moment.tzinfo is not None:
            raise ValueError("opening hours are local wall times without a time zone")
        if is_close and moment == MIDNIGHT:
            return _ONE_DAY
        return timedelta(
            hours=moment.hour,
            minutes=moment.minute,
            seconds=moment.second,
            microseconds=moment.microsecond,
        )

    checked = sorted((opens, closes) for opens, closes in hours)
    previous_close = timedelta(0)
    for opens, closes in checked:
        if offset(opens, False) < previous_close:
            raise ValueError(f"opening intervals overlap at {opens.isoformat()}")
        if offset(closes, True) <= offset(opens, False):
            raise ValueError(
                f"an interval must close after it opens: {opens.isoformat()}-{closes.isoformat()}"
            )
        previous_close = offset(closes, True)
    return tuple(checked)


def _covered_runs(
    covered: Iterable[int] | tuple[date, date] | None,
) -> list[tuple[date, date]] | None:
    if covered is None:
        return None
    if (
        isinstance(covered, tuple)
        and len(covered) == 2
        and all(isinstance(day, date) for day in covered)
    ):
        first, last = covered
        if last < first:
            raise ValueError("covered dates end before they start")
        return [(first, last)]
    runs: list[tuple[date, date]] = []
    for year in sorted(set(covered)):
        if runs and runs[-1][1].year == year - 1:
            runs[-1] = (runs[-1][0], date(year, 12, 31))
        else:
            runs.append((date(year, 1, 1), date(year, 12, 31)))
    return runs


def _aware_us(moment: datetime, name: str) -> int:
    try:
        return (moment - _EPOCH) // _ONE_MICROSECOND
    except TypeError:
        # Subtracting from an aware datetime fails for naive datetimes and non-datetimes.
        if isinstance(moment, datetime):
            raise ValueError(f"{name} must be timezone-aware") from None
        raise TypeError(f"{name} must be a datetime") from None


def _checked_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError("minutes must be a whole number")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return minutes


def _from_us(calendar: BusinessCalendar, moment_us: int) -> datetime:
    seconds, microseconds = divmod(moment_us, 1_000_000)
    moment = datetime.fromtimestamp(seconds, calendar.tz)
    # Clocks change on whole seconds, so the microseconds never change the offset.
    return moment.replace(microsecond=microseconds) if microseconds else moment


# -- the public functions ---------------------------------------------------------------


def add_business_minutes(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """The earliest instant at which `minutes` business minutes have passed since `start`
    (aware, any time zone), in the calendar's time zone.

    Outside business hours counting starts at the next opening; a deadline exactly at a
    closing time stays there; `minutes == 0` returns `start` itself. Seconds are kept
    exactly. Negative minutes raise ValueError. Whether the result is provisional is
    answered by `add_business_minutes_checked`."""
    start_us = _aware_us(start, "start")
    if (type(minutes) is not int or minutes <= 0) and _checked_minutes(minutes) == 0:
        return start.astimezone(calendar.tz)
    return _from_us(calendar, calendar.deadline_us(start_us, minutes * MICROSECONDS_PER_MINUTE))


def add_business_minutes_checked(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> Deadline:
    """`add_business_minutes`, and whether the deadline is provisional: True when minutes > 0
    and some local day from the start's to the deadline's (a deadline at midnight belongs to
    the day it closes) lies outside the calendar's covered dates."""
    start_us = _aware_us(start, "start")
    if _checked_minutes(minutes) == 0:
        # Nothing was counted, so no day's schedule was assumed.
        return Deadline(start.astimezone(calendar.tz), provisional=False)
    deadline_us = calendar.deadline_us(start_us, minutes * MICROSECONDS_PER_MINUTE)
    return Deadline(
        _from_us(calendar, deadline_us), provisional=not calendar.covers_us(start_us, deadline_us)
    )


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time in [start, end), exact to the microsecond. `start` must not be after
    `end` (ValueError)."""
    start_us, end_us = _aware_us(start, "start"), _aware_us(end, "end")
    if end_us < start_us:
        raise ValueError("end must not be before start")
    return timedelta(microseconds=calendar.business_us_between(start_us, end_us))


def business_minutes_between(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> int | float:
    """Business minutes in [start, end): an int when whole, else a float (seconds kept).
    `start` must not be after `end` (ValueError)."""
    start_us, end_us = _aware_us(start, "start"), _aware_us(end, "end")
    if end_us < start_us:
        raise ValueError("end must not be before start")
    business_us = calendar.business_us_between(start_us, end_us)
    whole, rest = divmod(business_us, MICROSECONDS_PER_MINUTE)
    return whole if rest == 0 else business_us / MICROSECONDS_PER_MINUTE


# -- the named calendars ------------------------------------------------------------------


def five_by_eight(
    overrides: Mapping[date, bool | OpeningHours] | None = None,
    covered: Iterable[int] | tuple[date, date] | None = (),
) -> BusinessCalendar:
    """5x8: Monday to Friday 09:30-19:30 Asia/Shanghai. `overrides` maps a date to True (a
    working day with the normal hours, e.g. a make-up working day), False (a day off) or its
    own opening intervals. `covered`: the years (or inclusive date range) whose official
    schedule is in `overrides`; by default none, so every deadline is provisional."""
    day_overrides: dict[date, OpeningHours] = {}
    for day, value in (overrides or {}).items():
        if value is True:
            day_overrides[day] = FIVE_BY_EIGHT_HOURS
        elif value is False:
            day_overrides[day] = ()
        else:
            day_overrides[day] = value
    weekly = {weekday: FIVE_BY_EIGHT_HOURS for weekday in range(5)}
    return BusinessCalendar(SHANGHAI, weekly, day_overrides, covered)


def seven_by_twenty_four(tz: ZoneInfo = SHANGHAI) -> BusinessCalendar:
    """7x24: always open; business time is plain elapsed time and never provisional."""
    return BusinessCalendar(tz, {weekday: ALL_DAY for weekday in range(7)}, {}, None)


def workday_overrides_to_hours(
    weekly_hours: Mapping[int, OpeningHours], workdays: Mapping[date, bool]
) -> dict[date, OpeningHours]:
    """Day overrides for a calendar with `weekly_hours` from date -> is a working day (China's
    holidays and make-up days, company days off and extra working days). A day off is
    closed. A working day keeps its weekday's hours; on a weekday that is normally closed
    (a make-up Saturday) it takes the hours of the calendar's first open weekday, Monday
    for 5x8, because a make-up day stands in for an ordinary working day."""
    usual = next((weekly_hours[day] for day in range(7) if weekly_hours.get(day)), ())
    overrides: dict[date, OpeningHours] = {}
    for day, working in workdays.items():
        if not working:
            overrides[day] = ()
        else:
            overrides[day] = weekly_hours.get(day.weekday()) or usual
    return overrides
