"""The domain calendar built from the tables: company days win, changes are seen at once."""

import datetime

import pytest

from aftersales.calendars import selectors
from aftersales.calendars.choices import DaySource
from aftersales.calendars.models import CalendarDay, ServiceCalendar, ServiceHours
from aftersales.calendars.selectors import UnknownCalendar, business_calendar
from aftersales.domain.calendar import add_business_minutes, add_business_minutes_checked
from aftersales.domain.holidays import china_five_by_eight

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
START = datetime.datetime(2025, 1, 27, 18, 0, tzinfo=SHANGHAI)


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def test_the_table_calendar_agrees_with_the_package(china_calendar):
    from_table = business_calendar("5x8")
    # Only 2024-2026 are loaded in the table; the package covers more, so compare inside them.
    reference = china_five_by_eight()
    for start, minutes in [(START, 240), (at(2025, 9, 30, 18), 120), (at(2024, 2, 9, 10), 600),
                           (at(2026, 9, 30, 9), 6000), (at(2025, 4, 30, 19), 30)]:
        assert add_business_minutes(from_table, start, minutes) == add_business_minutes(reference, start, minutes)


def test_a_company_day_off_wins_over_a_statutory_working_day(china_calendar):
    # 8 February 2025 is a statutory make-up Saturday; the company gives it off.
    saturday = datetime.date(2025, 2, 8)
    assert add_business_minutes(business_calendar("5x8"), at(2025, 2, 7, 19), 60) == at(2025, 2, 8, 10, 0)
    CalendarDay.objects.create(date=saturday, is_workday=False, source=DaySource.COMPANY, note="team day")
    assert CalendarDay.objects.filter(date=saturday).count() == 2  # both kinds are kept
    assert add_business_minutes(business_calendar("5x8"), at(2025, 2, 7, 19), 60) == at(2025, 2, 10, 10, 0)


def test_a_company_extra_working_day_opens_a_statutory_holiday(china_calendar):
    CalendarDay.objects.create(date=datetime.date(2025, 1, 28), is_workday=True, source=DaySource.COMPANY)
    assert add_business_minutes(business_calendar("5x8"), START, 240) == at(2025, 1, 28, 12, 0)


def test_changed_hours_are_seen_by_the_next_use(china_calendar):
    assert add_business_minutes(business_calendar("5x8"), START, 240) == at(2025, 2, 5, 12, 0)
    hours = ServiceHours.objects.filter(calendar__code="5x8", weekday=0).get()
    hours.closes = datetime.time(18, 0)
    hours.save()
    # Monday 27 January now closes at 18:00: all 240 minutes fall on 5 February.
    assert add_business_minutes(business_calendar("5x8"), START, 240) == at(2025, 2, 5, 13, 30)


def test_the_built_calendar_is_reused_while_nothing_changes(china_calendar, django_assert_num_queries):
    first = business_calendar("5x8")
    with django_assert_num_queries(1):  # only the version check
        assert business_calendar("5x8") is first


def test_removing_a_company_day_is_seen(china_calendar):
    day = CalendarDay.objects.create(date=datetime.date(2025, 2, 5), is_workday=False, source=DaySource.COMPANY)
    assert add_business_minutes(business_calendar("5x8"), START, 240) == at(2025, 2, 6, 12, 0)
    day.delete()
    assert add_business_minutes(business_calendar("5x8"), START, 240) == at(2025, 2, 5, 12, 0)


def test_loaded_years_decide_what_is_provisional(china_calendar):
    calendar = business_calendar("5x8")
    assert add_business_minutes_checked(calendar, START, 240).provisional is False
    assert add_business_minutes_checked(calendar, at(2026, 12, 31, 18), 240).provisional is True
    limited = business_calendar("5x8", for_years=[2025])
    assert add_business_minutes_checked(limited, at(2025, 12, 31, 18), 240).provisional is True


def test_a_company_calendar_with_its_own_hours_and_zone(db):
    calendar = ServiceCalendar.objects.create(code="weekend", name="Weekend desk", time_zone="Europe/Berlin",
                                              uses_china_workdays=False)
    ServiceHours.objects.create(calendar=calendar, weekday=5, opens=datetime.time(10), closes=datetime.time(12))
    ServiceHours.objects.create(calendar=calendar, weekday=5, opens=datetime.time(14), closes=datetime.time(16))
    built = business_calendar("weekend")
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    friday = datetime.datetime(2025, 1, 31, 12, 0, tzinfo=berlin)
    deadline = add_business_minutes_checked(built, friday, 180)
    assert deadline.at == datetime.datetime(2025, 2, 1, 15, 0, tzinfo=berlin)
    assert deadline.at.tzinfo.key == "Europe/Berlin"
    assert deadline.provisional is False


def test_an_unknown_code_is_refused(db):
    with pytest.raises(UnknownCalendar):
        business_calendar("9x5")


def test_next_year_missing_only_from_the_first_of_november(china_calendar):
    assert selectors.next_year_missing(today=datetime.date(2026, 10, 31)) is None
    assert selectors.next_year_missing(today=datetime.date(2026, 11, 1)) == 2027
    assert selectors.next_year_missing(today=datetime.date(2025, 11, 1)) is None  # 2026 is loaded
