"""Reads of the calendar tables, and the domain `BusinessCalendar` built from them."""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from aftersales.calendars.choices import DaySource
from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar
from aftersales.core import dataversion
from aftersales.core.scoping import scoped
from aftersales.domain.calendar import (
    BusinessCalendar,
    seven_by_twenty_four,
    workday_overrides_to_hours,
)

# From this day of the year on, next year's published schedule is expected to be loaded.
NEXT_YEAR_WARNING_FROM = (11, 1)


class UnknownCalendar(LookupError):
    """No service calendar has this code."""


# -- the version of the calendar tables ---------------------------------------------------


def calendar_version(versions: dict[str, str] | None = None) -> str | None:
    """The token that changes with every write to a calendar day, loaded year, service
    calendar or its hours (database triggers; `aftersales.core.dataversion`). Built calendars
    are cached against it. `versions`: tokens already read by the caller (one query for all)."""
    return (versions if versions is not None else dataversion.read_versions()).get(CALENDARS_VERSION)


# -- building the domain calendar ----------------------------------------------------------

CALENDARS_VERSION = "calendars"
# Per-process cache of built calendars: (code, years) -> calendar, against the version token.
# Each use reads the token first, so another process's change is never missed.
_built_calendars = dataversion.VersionedCache()


def workday_flags(years: Iterable[int] | None = None) -> dict[date, bool]:
    """Date -> is a working day for every day that differs from the plain week: statutory
    days first, then company days, which win."""
    days = CalendarDay.objects.all()
    if years is not None:
        days = days.filter(date__year__in=list(years))
    flags: dict[date, bool] = {}
    statutory_first = sorted(days.values_list("date", "is_workday", "source"),
                             key=lambda row: row[2] == DaySource.COMPANY)
    for day, is_workday, _source in statutory_first:
        flags[day] = is_workday
    return dict(sorted(flags.items()))


def loaded_years() -> list[int]:
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def build_business_calendar(service_calendar: ServiceCalendar, *,
                            for_years: Iterable[int] | None = None) -> BusinessCalendar:
    """The domain calendar of `service_calendar` from the tables, uncached."""
    tz = ZoneInfo(service_calendar.time_zone)
    if service_calendar.always_open:
        return seven_by_twenty_four(tz)
    weekly: dict[int, list] = {}
    for hours in service_calendar.hours.all():
        weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    if not service_calendar.uses_china_workdays:
        # Nothing depends on a published schedule, so nothing is provisional.
        return BusinessCalendar(tz, weekly, {}, None)
    years = loaded_years()
    if for_years is not None:
        wanted = set(for_years)
        years = [year for year in years if year in wanted]
    overrides = workday_overrides_to_hours(weekly, workday_flags(for_years))
    return BusinessCalendar(tz, weekly, overrides, years)


def business_calendar(code: str, *, for_years: Iterable[int] | None = None,
                      versions: dict[str, str] | None = None) -> BusinessCalendar:
    """The domain calendar named `code` ("5x8", "7x24", ...), built from the tables: weekly
    hours from ServiceHours, day overrides from the calendar days (company days win over
    statutory ones), covered years from CalendarYear. `for_years` limits the days and
    covered years read (a smaller calendar when only those years matter). Raises
    UnknownCalendar for an unknown code. Cached per process against `calendar_version()`;
    `versions`: the version tokens when the caller has read them already."""
    years_key = None if for_years is None else tuple(sorted(set(for_years)))

    def build() -> BusinessCalendar:
        try:
            service_calendar = ServiceCalendar.objects.prefetch_related("hours").get(code=code)
        except ServiceCalendar.DoesNotExist:
            raise UnknownCalendar(code) from None
        return build_business_calendar(service_calendar, for_years=years_key)

    return _built_calendars.get((code, years_key), calendar_version(versions), build)


def calendar_codes() -> list[str]:
    return list(ServiceCalendar.objects.order_by("code").values_list("code", flat=True))


# -- pages ---------------------------------------------------------------------------------


def service_calendars(*, user) -> QuerySet[ServiceCalendar]:
    return scoped(ServiceCalendar.objects.prefetch_related("hours"), user)


def company_days(*, user) -> QuerySet[CalendarDay]:
    return scoped(CalendarDay.objects.filter(source=DaySource.COMPANY), user)


def next_year_missing(*, today: date) -> int | None:
    """Next year, when from 1 November its published schedule is still not loaded."""
    if (today.month, today.day) < NEXT_YEAR_WARNING_FROM:
        return None
    next_year = today.year + 1
    return None if CalendarYear.objects.filter(year=next_year).exists() else next_year


@dataclass(frozen=True)
class GridDay:
    day: date
    kind: str  # "workday", "weekend", "holiday", "make_up", "company_off", "company_work"
    note: str

    @property
    def is_workday(self) -> bool:
        return self.kind in ("workday", "make_up", "company_work")


@dataclass(frozen=True)
class GridMonth:
    first: date
    weeks: list[list[GridDay | None]]


def year_grid(*, user, year: int) -> list[GridMonth]:
    """Twelve month grids (weeks from Monday) of `year`, each day with its kind: an ordinary
    workday or weekend, a statutory holiday or make-up working day, or a company override."""
    rows = scoped(CalendarDay.objects.filter(date__year=year), user).values_list("date", "is_workday", "source", "note")
    statutory: dict[date, tuple[bool, str]] = {}
    company: dict[date, tuple[bool, str]] = {}
    for day, is_workday, source, note in rows:
        (company if source == DaySource.COMPANY else statutory)[day] = (is_workday, note)
    months = []
    weeks_of = month_calendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            cells: list[GridDay | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                elif day in company:
                    working, note = company[day]
                    cells.append(GridDay(day, "company_work" if working else "company_off", note))
                elif day in statutory:
                    working, note = statutory[day]
                    weekend = day.weekday() >= 5
                    if working:
                        cells.append(GridDay(day, "make_up" if weekend else "workday", note))
                    else:
                        cells.append(GridDay(day, "holiday", note))
                else:
                    cells.append(GridDay(day, "weekend" if day.weekday() >= 5 else "workday", ""))
            weeks.append(cells)
        months.append(GridMonth(date(year, month, 1), weeks))
    return months
