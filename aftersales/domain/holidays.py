"""China's statutory holidays and make-up working days (调休), read from the
`chinesecalendar` package's published tables.

Pure: the package is plain Python data, nothing here reads files, the network or the clock.
The app loads these days into its calendar table, where administrators' overrides win; the
domain calendar takes them as day overrides (see `calendar.five_by_eight`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from chinese_calendar import constants as _published

from aftersales.domain.calendar import BusinessCalendar, OpeningHours, five_by_eight


def china_covered_years() -> frozenset[int]:
    """The years whose official schedule the installed `chinesecalendar` publishes."""
    years = {day.year for day in _published.holidays}
    return frozenset(range(min(years), max(years) + 1))


def china_day_overrides(years: Iterable[int] | None = None) -> dict[date, bool]:
    """Date -> is a working day, for every published statutory holiday (False) and make-up
    working day (True) in `years` (default: all covered years). Years the package does not
    cover are left out; check them against `china_covered_years()`. Ordinary weekends and
    weekdays are not listed: the weekly hours already describe them."""
    wanted = china_covered_years() if years is None else china_covered_years() & set(years)
    overrides = {day: False for day in _published.holidays if day.year in wanted}
    overrides.update({day: True for day in _published.workdays if day.year in wanted})
    return dict(sorted(overrides.items()))


def china_five_by_eight(
    extra_overrides: Mapping[date, bool | OpeningHours] | None = None,
) -> BusinessCalendar:
    """5x8 with China's published holidays and make-up working days for every covered
    year; `extra_overrides` (company days off, extra working days) win over them."""
    overrides: dict[date, bool | OpeningHours] = dict(china_day_overrides())
    overrides.update(extra_overrides or {})
    return five_by_eight(overrides, china_covered_years())


def days_off_and_make_up_days(year: int, workday_overrides: Mapping[date, bool]) -> tuple[int, int]:
    """(days off, make-up working days) in `year` on a Monday-to-Friday week changed by
    `workday_overrides` (date -> is a working day): days off are the weekend days not worked
    plus the weekdays off; make-up working days are the weekend days worked."""
    day, days_off, make_up = date(year, 1, 1), 0, 0
    while day.year == year:
        weekend = day.weekday() >= 5
        working = workday_overrides.get(day, not weekend)
        days_off += not working
        make_up += weekend and working
        day = date.fromordinal(day.toordinal() + 1)
    return days_off, make_up
