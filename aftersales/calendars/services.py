"""Writes to the calendar tables: company days, service hours, and a year's published
schedule (from the chinesecalendar package or a file). Every write is audited; built
calendars notice the change through `selectors.calendar_version()`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.calendars.choices import DaySource, ScheduleSource
from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar, ServiceHours
from aftersales.core import services as core_services
from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.domain.holidays import (
    china_covered_years,
    china_day_overrides,
    days_off_and_make_up_days,
)

# -- company days -------------------------------------------------------------------------


def company_day_create(*, actor, data: dict[str, Any]) -> CalendarDay:
    """A company day off or extra working day; it wins over the statutory day of that date."""
    return core_services.object_create(actor=actor, model=CalendarDay, data={**data, "source": DaySource.COMPANY})


def company_day_update(*, actor, instance: CalendarDay, data: dict[str, Any]) -> CalendarDay:
    if instance.source != DaySource.COMPANY:
        raise ValidationError(_("Statutory days come from the published schedule and cannot be edited."))
    return core_services.object_update(actor=actor, instance=instance, data={**data, "source": DaySource.COMPANY})


# -- service calendars ----------------------------------------------------------------------


def service_calendar_create(*, actor, data: dict[str, Any]) -> ServiceCalendar:
    return core_services.object_create(actor=actor, model=ServiceCalendar, data=data)


def service_hours_create(*, actor, data: dict[str, Any]) -> ServiceHours:
    return core_services.object_create(actor=actor, model=ServiceHours, data=data)


# -- a year's published schedule ------------------------------------------------------------


@dataclass(frozen=True)
class YearLoad:
    year: int
    days_off: int
    make_up_days: int
    changed: bool


def statutory_year_load(*, actor, year: int, days: Mapping[date, tuple[bool, str]],
                        source: str) -> YearLoad:
    """Replace the statutory days of `year` with `days` (date -> (is a working day, note):
    the holidays and make-up working days of the published schedule) and mark the year
    loaded. Idempotent: loading the same schedule again writes nothing. Company days are
    left alone. All or nothing."""
    outside = sorted(day for day in days if day.year != year)
    if outside:
        raise ValidationError({"date": _("%(day)s is not in %(year)s.") % {"day": outside[0], "year": year}})
    with transaction.atomic():
        existing = {row.date: row for row in CalendarDay.objects.select_for_update()
                    .filter(source=DaySource.STATUTORY, date__year=year)}
        removed = [row.pk for day, row in existing.items() if day not in days]
        added, changed = [], []
        for day, (is_workday, note) in sorted(days.items()):
            row = existing.get(day)
            if row is None:
                added.append(CalendarDay(date=day, is_workday=is_workday, note=note, source=DaySource.STATUTORY))
            elif (row.is_workday, row.note) != (is_workday, note):
                row.is_workday, row.note = is_workday, note
                changed.append(row)
        for row in added + changed:
            row.full_clean(validate_constraints=False)
        if removed:
            CalendarDay.objects.filter(pk__in=removed).delete()
        CalendarDay.objects.bulk_create(added)
        for row in changed:
            row.save(update_fields=["is_workday", "note", "updated_at"])
        days_off, make_up = days_off_and_make_up_days(year, {day: flag for day, (flag, _note) in days.items()})
        calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
        days_changed = bool(removed or added or changed)
        if calendar_year is not None and not days_changed and calendar_year.source == source:
            return YearLoad(year, days_off, make_up, changed=False)
        before = snapshot(calendar_year) if calendar_year is not None else None
        if calendar_year is None:
            calendar_year = CalendarYear(year=year)
        calendar_year.loaded_at = timezone.now()
        calendar_year.source = source
        calendar_year.full_clean()
        calendar_year.save()
        after = {**snapshot(calendar_year), "days_off": days_off, "make_up_days": make_up,
                 "days_added": len(added), "days_changed": len(changed), "days_removed": len(removed)}
        audit_record(actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                     instance=calendar_year, before=before, after=after)
    return YearLoad(year, days_off, make_up, changed=True)


def china_days(year: int) -> dict[date, tuple[bool, str]]:
    """The chinesecalendar package's holidays and make-up working days of `year`, with the
    holiday's name as note (make-up days are named after the holiday they make up for)."""
    from chinese_calendar import constants as published

    flags = china_day_overrides([year])
    names = {**published.holidays, **published.workdays}
    return {day: (flag, str(names.get(day, "") or "")) for day, flag in flags.items()}


def china_years_load(*, actor, years: list[int] | None = None) -> list[YearLoad]:
    """Load the statutory days of `years` (default: every year the package covers) from the
    chinesecalendar package, all or nothing. A year it does not cover is a ValidationError
    and nothing is written."""
    covered = china_covered_years()
    wanted = sorted(covered) if years is None else sorted(set(years))
    missing = [year for year in wanted if year not in covered]
    if missing:
        raise ValidationError({"years": _(
            "The chinesecalendar package does not cover %(years)s (it covers %(first)s–%(last)s); "
            "load that year's published schedule from a file instead.") % {
            "years": ", ".join(map(str, missing)), "first": min(covered), "last": max(covered)}})
    with transaction.atomic():
        return [statutory_year_load(actor=actor, year=year, days=china_days(year), source=ScheduleSource.PACKAGE)
                for year in wanted]
