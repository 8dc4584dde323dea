"""Business-time calendar: the cases a service desk would check by hand on a wall calendar."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.calendar import (
    MIDNIGHT,
    SHANGHAI,
    BusinessCalendar,
    Deadline,
    add_business_minutes,
    add_business_minutes_checked,
    business_minutes_between,
    business_time_between,
    five_by_eight,
    seven_by_twenty_four,
)
from aftersales.domain.holidays import (
    china_covered_years,
    china_day_overrides,
    china_five_by_eight,
)

CHINA = china_five_by_eight()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def deadline(start: str, minutes: int, calendar: BusinessCalendar = CHINA) -> str:
    return add_business_minutes(calendar, at(start), minutes).isoformat()


def between(start: str, end: str, calendar: BusinessCalendar = CHINA) -> int | float:
    return business_minutes_between(calendar, at(start), at(end))


# -- the issue's pinned example -----------------------------------------------------------


def test_spring_festival_example_from_the_issue():
    # 90 minutes on 27 January, days off 28 January to 4 February, 150 minutes on 5 February.
    assert deadline("2025-01-27T18:00:00+08:00", 240) == "2025-02-05T12:00:00+08:00"
    assert between("2025-01-27T18:00:00+08:00", "2025-02-05T12:00:00+08:00") == 240


def test_the_example_is_final_not_provisional():
    result = add_business_minutes_checked(CHINA, at("2025-01-27T18:00:00+08:00"), 240)
    assert result == Deadline(at("2025-02-05T12:00:00+08:00"), provisional=False)


def test_a_start_given_in_utc_gets_a_deadline_in_shanghai_time():
    result = add_business_minutes(CHINA, at("2025-01-27T10:00:00+00:00"), 240)
    assert result.isoformat() == "2025-02-05T12:00:00+08:00"


# -- Spring Festival 2025 (days off 28 Jan - 4 Feb; make-up Sun 26 Jan and Sat 8 Feb) ------


def test_a_start_during_the_spring_festival_counts_from_the_first_working_morning():
    assert deadline("2025-01-30T11:00:00+08:00", 15) == "2025-02-05T09:45:00+08:00"


def test_make_up_sunday_before_the_spring_festival_is_a_full_working_day():
    assert deadline("2025-01-26T09:30:00+08:00", 600) == "2025-01-26T19:30:00+08:00"
    # The Saturday before it is an ordinary day off.
    assert deadline("2025-01-25T12:00:00+08:00", 1) == "2025-01-26T09:31:00+08:00"


def test_make_up_saturday_after_the_spring_festival_counts_as_working():
    assert deadline("2025-02-07T19:00:00+08:00", 60) == "2025-02-08T10:00:00+08:00"
    assert between("2025-02-08T00:00:00+08:00", "2025-02-09T00:00:00+08:00") == 600
    # From its closing time the next working morning is Monday.
    assert deadline("2025-02-08T19:30:00+08:00", 1) == "2025-02-10T09:31:00+08:00"


def test_the_spring_festival_week_holds_only_its_working_days():
    # Sun 26 Jan (make-up), Mon 27 Jan, then nothing until Wed 5 Feb: 5, 6, 7 and Sat 8 Feb.
    assert between("2025-01-25T00:00:00+08:00", "2025-02-09T00:00:00+08:00") == 6 * 600


# -- National Day 2025 (days off 1-8 Oct; make-up Sun 28 Sep and Sat 11 Oct) --------------


def test_national_day_week():
    assert deadline("2025-09-30T19:00:00+08:00", 60) == "2025-10-09T10:00:00+08:00"
    assert deadline("2025-10-03T14:00:00+08:00", 15) == "2025-10-09T09:45:00+08:00"
    assert deadline("2025-09-28T09:30:00+08:00", 30) == "2025-09-28T10:00:00+08:00"
    assert deadline("2025-10-10T19:00:00+08:00", 60) == "2025-10-11T10:00:00+08:00"


def test_national_day_fortnight_in_business_minutes():
    # Fri 26 Sep, Sun 28 Sep, Mon 29, Tue 30; Thu 9 Oct, Fri 10, Sat 11 Oct.
    assert between("2025-09-26T09:30:00+08:00", "2025-10-13T09:30:00+08:00") == 7 * 600
    assert between("2025-09-30T09:30:00+08:00", "2025-10-09T09:30:00+08:00") == 600


# -- opening, closing and zero ----------------------------------------------------------


def test_a_start_at_closing_time_counts_from_the_next_opening():
    assert deadline("2025-03-03T19:30:00+08:00", 1) == "2025-03-04T09:31:00+08:00"
    assert deadline("2025-03-07T19:30:00+08:00", 15) == "2025-03-10T09:45:00+08:00"


def test_a_start_at_opening_time_counts_at_once():
    assert deadline("2025-03-03T09:30:00+08:00", 15) == "2025-03-03T09:45:00+08:00"


def test_a_deadline_exactly_at_closing_time_is_that_closing_time():
    assert deadline("2025-03-03T09:30:00+08:00", 600) == "2025-03-03T19:30:00+08:00"
    assert deadline("2025-03-03T17:30:00+08:00", 120) == "2025-03-03T19:30:00+08:00"
    # Before the Spring Festival: the last working minutes end on 27 January at 19:30.
    assert deadline("2025-01-27T18:00:00+08:00", 90) == "2025-01-27T19:30:00+08:00"


def test_one_minute_more_than_closing_time_goes_to_the_next_morning():
    assert deadline("2025-03-03T17:30:00+08:00", 121) == "2025-03-04T09:31:00+08:00"


def test_zero_minutes_is_the_start_itself_even_outside_business_hours():
    sunday_night = at("2025-03-02T03:00:00+08:00")
    assert add_business_minutes(CHINA, sunday_night, 0) == sunday_night
    in_utc = at("2025-03-01T19:00:00+00:00")
    result = add_business_minutes(CHINA, in_utc, 0)
    assert result == in_utc
    assert result.isoformat() == "2025-03-02T03:00:00+08:00"


def test_nothing_is_open_outside_business_hours():
    assert between("2025-03-03T19:30:00+08:00", "2025-03-04T09:30:00+08:00") == 0
    assert between("2025-03-08T00:00:00+08:00", "2025-03-10T09:30:00+08:00") == 0


# -- seconds ------------------------------------------------------------------------------


def test_seconds_are_kept_exactly():
    assert deadline("2025-03-03T19:29:30+08:00", 1) == "2025-03-04T09:30:30+08:00"
    assert deadline("2025-03-03T10:00:10.250000+08:00", 5) == "2025-03-03T10:05:10.250000+08:00"
    assert between("2025-03-03T19:29:30+08:00", "2025-03-04T09:30:30+08:00") == 1


def test_part_minutes_between_are_a_fraction():
    assert between("2025-03-03T09:30:00+08:00", "2025-03-03T09:30:30+08:00") == 0.5
    exact = business_time_between(
        CHINA, at("2025-03-03T19:29:59.999999+08:00"), at("2025-03-04T09:30:00.000001+08:00")
    )
    assert exact == timedelta(microseconds=2)


# -- 7x24 -------------------------------------------------------------------------------


def test_seven_by_twenty_four_adds_plain_minutes():
    always = seven_by_twenty_four()
    assert deadline("2025-01-27T18:00:00+08:00", 240, always) == "2025-01-27T22:00:00+08:00"
    assert deadline("2025-01-31T23:59:30+08:00", 2, always) == "2025-02-01T00:01:30+08:00"
    assert between("2025-01-27T18:00:00+08:00", "2025-02-05T12:00:00+08:00", always) == (
        9 * 24 * 60 - 6 * 60
    )
    result = add_business_minutes_checked(always, at("2099-01-01T00:00:00+08:00"), 10)
    assert result.provisional is False


# -- provisional years --------------------------------------------------------------------


def test_a_deadline_into_an_unpublished_year_is_provisional():
    last_year = max(china_covered_years())
    start = datetime(last_year, 12, 31, 18, 0, tzinfo=SHANGHAI)
    result = add_business_minutes_checked(CHINA, start, 240)
    # Computed on plain Monday-Friday days: 90 minutes on 31 December, 150 the next
    # weekday, whatever New Year's holidays will be published for it.
    next_weekday = date(last_year + 1, 1, 1)
    while next_weekday.weekday() >= 5:
        next_weekday += timedelta(days=1)
    assert result.at == datetime.combine(next_weekday, time(12, 0), tzinfo=SHANGHAI)
    assert result.provisional is True


def test_a_deadline_ending_at_the_last_covered_closing_time_is_final():
    last_year = max(china_covered_years())
    start = datetime(last_year, 12, 31, 9, 30, tzinfo=SHANGHAI)
    assert start.date().weekday() < 5, "pick a year whose 31 December is a weekday"
    result = add_business_minutes_checked(CHINA, start, 600)
    assert result == Deadline(datetime(last_year, 12, 31, 19, 30, tzinfo=SHANGHAI), False)


def test_a_start_before_the_first_covered_year_is_provisional():
    first_year = min(china_covered_years())
    start = datetime(first_year - 1, 6, 2, 10, 0, tzinfo=SHANGHAI)
    assert add_business_minutes_checked(CHINA, start, 15).provisional is True


def test_far_future_deadlines_still_follow_the_weekly_hours():
    # 2031-01-03 is a Friday, well past the precomputed days.
    result = add_business_minutes_checked(CHINA, at("2031-01-03T19:00:00+08:00"), 60)
    assert result == Deadline(at("2031-01-06T10:00:00+08:00"), provisional=True)
    assert between("2031-01-03T19:00:00+08:00", "2031-01-06T10:00:00+08:00") == 60


def test_a_calendar_without_any_schedule_is_provisional_everywhere():
    plain = five_by_eight()
    result = add_business_minutes_checked(plain, at("2025-01-27T18:00:00+08:00"), 240)
    # Plain weekdays: the Spring Festival is unknown to this calendar.
    assert result == Deadline(at("2025-01-28T12:00:00+08:00"), provisional=True)


def test_a_company_day_off_in_an_unpublished_year_still_counts():
    last_year = max(china_covered_years())
    first_monday = date(last_year + 1, 1, 1)
    while first_monday.weekday() != 0:
        first_monday += timedelta(days=1)
    with_day_off = china_five_by_eight({first_monday: False})
    friday_evening = datetime.combine(first_monday - timedelta(days=3), time(19), SHANGHAI)
    result = add_business_minutes_checked(with_day_off, friday_evening, 60)
    assert result.at == datetime.combine(first_monday + timedelta(days=1), time(10), SHANGHAI)
    assert result.provisional is True


def test_company_overrides_win_over_the_published_schedule():
    # An extra working day on the first day of the 2025 Spring Festival.
    with_extra_day = china_five_by_eight({date(2025, 1, 28): True})
    assert deadline("2025-01-27T18:00:00+08:00", 240, with_extra_day) == (
        "2025-01-28T12:00:00+08:00"
    )


# -- other calendars ------------------------------------------------------------------------


def test_a_lunch_break_is_skipped():
    with_lunch = BusinessCalendar(
        SHANGHAI,
        {day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)},
        covered=None,
    )
    assert deadline("2025-03-03T11:30:00+08:00", 60, with_lunch) == "2025-03-03T13:30:00+08:00"
    assert deadline("2025-03-03T11:00:00+08:00", 60, with_lunch) == "2025-03-03T12:00:00+08:00"
    assert between("2025-03-03T00:00:00+08:00", "2025-03-04T00:00:00+08:00", with_lunch) == 480


def test_an_evening_shift_closing_at_midnight():
    evenings = BusinessCalendar(SHANGHAI, {day: [(time(20), MIDNIGHT)] for day in range(7)})
    assert deadline("2025-03-03T23:00:00+08:00", 60, evenings) == "2025-03-04T00:00:00+08:00"
    assert deadline("2025-03-03T23:00:00+08:00", 61, evenings) == "2025-03-04T20:01:00+08:00"


def test_the_calendar_time_zone_decides_the_day_and_daylight_saving_time():
    berlin = ZoneInfo("Europe/Berlin")
    office = BusinessCalendar(berlin, {day: [(time(9), time(17))] for day in range(5)})
    # Friday before the spring change of clocks, 16:00 CET; Monday is CEST.
    start = datetime(2025, 3, 28, 16, 0, tzinfo=berlin)
    assert add_business_minutes(office, start, 120).isoformat() == "2025-03-31T10:00:00+02:00"
    assert business_minutes_between(office, start, datetime(2025, 3, 31, 10, tzinfo=berlin)) == 120


def test_opening_hours_around_a_skipped_hour_stay_in_order():
    # On 30 March 2025 Berlin's clocks jump from 02:00 to 03:00, so 02:30 does not exist.
    berlin = ZoneInfo("Europe/Berlin")
    night_shift = BusinessCalendar(berlin, {6: [(time(1), time(2, 30)), (time(3), time(4))]})
    start = datetime(2025, 3, 30, 1, 0, tzinfo=berlin)
    end_of_shift = datetime(2025, 3, 30, 4, 0, tzinfo=berlin)
    assert business_minutes_between(night_shift, start, end_of_shift) == 120
    assert add_business_minutes(night_shift, start, 120) == end_of_shift
    assert add_business_minutes(night_shift, start, 121).isoformat() == "2025-04-06T01:01:00+02:00"


# -- bad input -----------------------------------------------------------------------------


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(CHINA, at("2025-03-03T10:00:00+08:00"), -1)


def test_minutes_must_be_whole():
    with pytest.raises(TypeError, match="whole"):
        add_business_minutes(CHINA, at("2025-03-03T10:00:00+08:00"), 1.5)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(CHINA, datetime(2025, 3, 3, 10), 15)


def test_between_refuses_an_end_before_the_start():
    with pytest.raises(ValueError, match="before start"):
        between("2025-03-04T10:00:00+08:00", "2025-03-03T10:00:00+08:00")


@pytest.mark.parametrize(
    "hours, message",
    [
        ([(time(9), time(12)), (time(11), time(18))], "overlap"),
        ([(time(18), time(9))], "close after it opens"),
        ([(time(9), time(9))], "close after it opens"),
    ],
)
def test_impossible_opening_hours_are_refused(hours, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(SHANGHAI, {0: hours})


def test_a_calendar_that_never_opens_is_refused():
    with pytest.raises(ValueError, match="at least once a week"):
        BusinessCalendar(SHANGHAI, {})
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar(SHANGHAI, {7: [(time(9), time(17))]})


# -- China's published schedule ---------------------------------------------------------------


def test_china_schedule_lists_holidays_and_make_up_days():
    days_2025 = china_day_overrides([2025])
    assert days_2025[date(2025, 1, 26)] is True
    assert days_2025[date(2025, 2, 8)] is True
    assert days_2025[date(2025, 9, 28)] is True
    assert days_2025[date(2025, 10, 11)] is True
    assert days_2025[date(2025, 1, 28)] is False
    assert days_2025[date(2025, 10, 8)] is False
    assert {day.year for day in days_2025} == {2025}
    assert date(2025, 3, 3) not in days_2025  # an ordinary Monday


def test_china_schedule_leaves_out_years_it_does_not_cover():
    covered = china_covered_years()
    assert {2024, 2025} <= covered
    assert china_day_overrides([max(covered) + 1]) == {}


def test_whole_business_minutes_are_an_int():
    result = between("2025-01-27T18:00:00+08:00", "2025-02-05T12:00:00+08:00")
    assert type(result) is int


def test_a_half_working_day_override():
    half_day = five_by_eight({date(2025, 3, 3): [(time(9, 30), time(12))]}, covered=[2025])
    assert deadline("2025-03-03T11:00:00+08:00", 90, half_day) == "2025-03-04T10:00:00+08:00"


def test_the_calendar_says_which_spans_have_a_known_schedule():
    last_year = max(china_covered_years())
    assert CHINA.covers(at("2025-01-01T00:00:00+08:00"), at("2025-12-31T23:59:00+08:00"))
    assert not CHINA.covers(
        datetime(last_year, 12, 31, 12, tzinfo=SHANGHAI),
        datetime(last_year + 1, 1, 1, 12, tzinfo=SHANGHAI),
    )
    assert seven_by_twenty_four().covers(
        at("2099-01-01T00:00:00+08:00"), at("2099-02-01T00:00:00+08:00")
    )
