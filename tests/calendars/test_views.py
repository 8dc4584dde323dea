"""Calendar pages: administrators manage company days and service hours; the year page
shows the month grids and warns when next year's days are missing."""

import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.calendars.choices import DaySource
from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar, ServiceHours
from aftersales.core.models import AuditLog


def deadline_5x8(start="2025-01-27T18:00:00+08:00", minutes="240") -> str:
    out = StringIO()
    call_command("sla_deadline", "--calendar", "5x8", "--start", start, "--minutes", minutes, stdout=out)
    return out.getvalue().strip()


def test_admin_adds_a_company_day_off_and_the_deadline_moves(china_calendar, admin, browser_client_for):
    client = browser_client_for(admin)
    assert deadline_5x8() == "2025-02-05T12:00:00+08:00"
    response = client.post(reverse("calendars:calendarday_add"),
                           {"date": "2025-02-05", "note": "annual meeting"})  # unticked: a day off
    assert response.status_code == 302
    day = CalendarDay.objects.get(source=DaySource.COMPANY)
    assert (day.date, day.is_workday, day.note) == (datetime.date(2025, 2, 5), False, "annual meeting")
    assert AuditLog.objects.filter(object_type="calendars.calendarday", action="create").count() == 1
    assert deadline_5x8() == "2025-02-06T12:00:00+08:00"
    page = client.get(reverse("calendars:calendar_year", args=[2025])).content.decode()
    assert 'data-date="2025-02-05" data-kind="company_off"' in page


def test_a_second_company_day_on_the_same_date_is_refused_on_the_date_field(china_calendar, admin, browser_client_for):
    client = browser_client_for(admin)
    client.post(reverse("calendars:calendarday_add"), {"date": "2025-02-05"})
    response = client.post(reverse("calendars:calendarday_add"), {"date": "2025-02-05", "is_workday": "on"})
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert CalendarDay.objects.filter(source=DaySource.COMPANY).count() == 1


def test_statutory_days_cannot_be_edited_through_the_company_day_pages(china_calendar, admin, browser_client_for):
    statutory = CalendarDay.objects.get(date=datetime.date(2025, 1, 28), source=DaySource.STATUTORY)
    response = browser_client_for(admin).post(reverse("calendars:calendarday_edit", args=[statutory.pk]),
                                              {"date": "2025-01-28", "is_workday": "on"})
    assert response.status_code == 404
    statutory.refresh_from_db()
    assert statutory.is_workday is False


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.SERVICE_DESK, Role.FIELD_ENGINEER])
def test_only_administrators_change_calendars(china_calendar, make_user, browser_client_for, role):
    client = browser_client_for(make_user(role))
    five_by_eight = ServiceCalendar.objects.get(code="5x8")
    assert client.post(reverse("calendars:calendarday_add"), {"date": "2025-02-05"}).status_code == 403
    hours = five_by_eight.hours.first()
    assert client.post(reverse("calendars:servicehours_edit", args=[hours.pk]),
                       {"calendar": five_by_eight.pk, "weekday": 0, "opens": "08:00", "closes": "20:00"}).status_code == 403
    assert not CalendarDay.objects.filter(source=DaySource.COMPANY).exists()
    assert ServiceHours.objects.get(pk=hours.pk).opens == datetime.time(9, 30)


def test_service_managers_read_calendars_other_staff_do_not(china_calendar, make_user, browser_client_for):
    manager = browser_client_for(make_user(Role.SERVICE_MANAGER))
    assert manager.get(reverse("calendars:calendar_year", args=[2025])).status_code == 200
    assert manager.get(reverse("calendars:servicecalendar_list")).status_code == 200
    desk = browser_client_for(make_user(Role.SERVICE_DESK))
    assert desk.get(reverse("calendars:calendar_year", args=[2025])).status_code == 403
    customer = browser_client_for(make_user(Role.CUSTOMER))
    assert customer.get(reverse("calendars:calendar_year", args=[2025])).status_code == 403


def test_admin_edits_service_hours_and_the_deadline_follows(china_calendar, admin, browser_client_for):
    client = browser_client_for(admin)
    five_by_eight = ServiceCalendar.objects.get(code="5x8")
    monday = five_by_eight.hours.get(weekday=0)
    response = client.post(reverse("calendars:servicehours_edit", args=[monday.pk]),
                           {"calendar": five_by_eight.pk, "weekday": 0, "opens": "09:30", "closes": "18:00"})
    assert response.status_code == 302 and response["Location"] == five_by_eight.get_absolute_url()
    assert deadline_5x8() == "2025-02-05T13:30:00+08:00"
    page = client.get(five_by_eight.get_absolute_url()).content.decode()
    assert "18:00" in page


@pytest.mark.parametrize("opens, closes, field", [("19:30", "09:30", "closes"), ("12:00", "12:00", "closes"),
                                                   ("19:00", "21:00", "opens")])
def test_bad_service_hours_are_refused_on_their_field(china_calendar, admin, browser_client_for, opens, closes, field):
    five_by_eight = ServiceCalendar.objects.get(code="5x8")
    before = list(ServiceHours.objects.values_list("weekday", "opens", "closes"))
    response = browser_client_for(admin).post(reverse("calendars:servicehours_add"), {
        "calendar": five_by_eight.pk, "weekday": 2, "opens": opens, "closes": closes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert list(ServiceHours.objects.values_list("weekday", "opens", "closes")) == before


def test_year_page_tells_days_apart(china_calendar, manager, browser_client_for):
    CalendarDay.objects.create(date=datetime.date(2025, 3, 3), is_workday=False, source=DaySource.COMPANY)
    CalendarDay.objects.create(date=datetime.date(2025, 3, 8), is_workday=True, source=DaySource.COMPANY)
    page = browser_client_for(manager).get(reverse("calendars:calendar_year", args=[2025])).content.decode()
    for day, kind in [("2025-01-27", "workday"), ("2025-01-28", "holiday"), ("2025-01-26", "make_up"),
                      ("2025-02-08", "make_up"), ("2025-02-09", "weekend"), ("2025-03-03", "company_off"),
                      ("2025-03-08", "company_work")]:
        assert f'data-date="{day}" data-kind="{kind}"' in page, day
    assert page.count('data-kind="holiday"') == 28  # 2025's statutory days off, weekends inside them included
    assert 'data-year-status="loaded"' in page
    for kind in ("holiday", "make_up", "company_off", "company_work"):
        assert f"day-{kind}" in page  # coloured by its class, explained in the legend


def test_year_page_query_count_is_fixed(china_calendar, manager, browser_client_for, django_assert_max_num_queries):
    client = browser_client_for(manager)
    client.get(reverse("calendars:calendar_year", args=[2025]))  # warm the session
    with django_assert_max_num_queries(8):
        client.get(reverse("calendars:calendar_year", args=[2025]))


def test_company_day_and_service_calendar_lists_query_count(db, admin, browser_client_for, django_assert_max_num_queries):
    client = browser_client_for(admin)
    for offset in range(20):
        CalendarDay.objects.create(date=datetime.date(2030, 1, 1) + datetime.timedelta(days=offset), is_workday=False)
    client.get(reverse("calendars:calendarday_list"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("calendars:calendarday_list"))
    assert response.content.decode().count("2030-01-") >= 20
    with django_assert_max_num_queries(8):
        assert client.get(reverse("calendars:servicecalendar_list")).status_code == 200


def test_warning_from_the_first_of_november_when_next_year_is_missing(china_calendar, admin, browser_client_for,
                                                                      monkeypatch):
    client = browser_client_for(admin)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 10, 31))
    assert 'data-warning="calendar-next-year"' not in client.get(reverse("calendars:calendar_year", args=[2026])).content.decode()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 11, 1))
    page = client.get(reverse("calendars:calendar_year", args=[2026])).content.decode()
    assert 'data-warning="calendar-next-year"' in page
    assert reverse("calendars:calendar_year", args=[2027]) in page
    # Once 2027 is loaded the warning goes away.
    CalendarYear.objects.create(year=2027, loaded_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC), source="file")
    assert 'data-warning="calendar-next-year"' not in client.get(reverse("calendars:calendar_year", args=[2026])).content.decode()


def test_admin_loads_a_published_schedule_file_for_a_missing_year(china_calendar, admin, browser_client_for):
    client = browser_client_for(admin)
    url = reverse("calendars:calendar_year", args=[2099])
    assert 'data-year-status="missing"' in client.get(url).content.decode()
    bad = SimpleUploadedFile("2099.csv", b"date,is_workday,note\n2099-01-01,0,x\n2099-02-30,0,y\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "row 3" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2099).exists()
    good = SimpleUploadedFile("2099.csv", b"date,is_workday,note\n2099-01-01,0,New Year\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert CalendarYear.objects.filter(year=2099).exists()
    assert 'data-date="2099-01-01" data-kind="holiday"' in client.get(url).content.decode()


def test_a_manager_may_not_load_a_schedule(china_calendar, manager, browser_client_for):
    good = SimpleUploadedFile("2099.csv", b"date,is_workday,note\n2099-01-01,0,New Year\n")
    response = browser_client_for(manager).post(reverse("calendars:calendar_year", args=[2099]), {"file": good})
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2099).exists()
