"""`aftersales load_calendar`: China's working days in the calendar table, idempotent, with
a year the package lacks loaded from a published-schedule file, all or nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from aftersales.calendars.choices import DaySource, ScheduleSource
from aftersales.calendars.models import CalendarDay, CalendarYear
from aftersales.core.models import AuditLog

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def statutory(day: datetime.date) -> CalendarDay:
    return CalendarDay.objects.get(date=day, source=DaySource.STATUTORY)


def test_2025_spring_festival_and_make_up_days_are_in_the_table():
    out, _ = run("--years", "2025")
    assert out == "loaded 2025: 117 days off, 5 make-up working days\n"
    for offset in range(8):  # 28 January to 4 February
        day = datetime.date(2025, 1, 28) + datetime.timedelta(days=offset)
        assert statutory(day).is_workday is False, day
        assert statutory(day).note == "Spring Festival"
    # Make-up working days (调休): Sunday 26 January and Saturday 8 February.
    assert statutory(datetime.date(2025, 1, 26)).is_workday is True
    assert statutory(datetime.date(2025, 2, 8)).is_workday is True
    assert datetime.date(2025, 1, 26).weekday() == 6 and datetime.date(2025, 2, 8).weekday() == 5
    # National Day and Mid-Autumn: 1-8 October off, Sunday 28 September and Saturday 11 October worked.
    assert all(not statutory(datetime.date(2025, 10, d)).is_workday for d in range(1, 9))
    assert statutory(datetime.date(2025, 9, 28)).is_workday and statutory(datetime.date(2025, 10, 11)).is_workday
    year = CalendarYear.objects.get()
    assert (year.year, year.source) == (2025, ScheduleSource.PACKAGE)


def test_loading_again_changes_nothing():
    first, _ = run("--years", "2024", "2025")
    rows = list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "note", "updated_at"))
    loaded_at = CalendarYear.objects.get(year=2025).loaded_at
    audits = AuditLog.objects.count()
    again, _ = run("--years", "2024", "2025")
    assert again == first == ("loaded 2024: 115 days off, 8 make-up working days\n"
                              "loaded 2025: 117 days off, 5 make-up working days\n")
    assert list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "note", "updated_at")) == rows
    assert CalendarYear.objects.get(year=2025).loaded_at == loaded_at
    assert AuditLog.objects.count() == audits == 2  # one record per year loaded, none for the repeat


def test_default_loads_every_year_the_package_covers():
    out, _ = run()
    lines = out.splitlines()
    assert lines[0].startswith("loaded 2004: ")
    assert "loaded 2025: 117 days off, 5 make-up working days" in lines
    assert CalendarYear.objects.count() == len(lines) >= 23


def test_reloading_keeps_company_days():
    CalendarDay.objects.create(date=datetime.date(2025, 2, 5), is_workday=False, source=DaySource.COMPANY,
                               note="annual meeting")
    run("--years", "2025")
    run("--years", "2025")
    assert CalendarDay.objects.filter(source=DaySource.COMPANY).count() == 1


def test_a_year_the_package_does_not_cover_is_refused_and_nothing_is_written():
    with translation.override("en"), pytest.raises(CommandError, match=r"does not cover 2099"):
        run("--years", "2025", "2099")
    with translation.override("zh-hans"), pytest.raises(CommandError, match=r"不包含 2099 年"):
        run("--years", "2099")
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


SCHEDULE_2099 = """date,is_workday,note
2099-01-01,0,New Year's Day
2099-01-02,0,New Year's Day
2099-01-04,1,New Year's Day
"""


def test_a_published_schedule_file_loads_a_year_the_package_lacks(tmp_path):
    path = tmp_path / "2099.csv"
    path.write_text(SCHEDULE_2099, encoding="utf-8")
    out, _ = run("--file", str(path), "--year", "2099")
    # 2099-01-01 is a Thursday, 2099-01-04 a Sunday worked instead.
    assert out.startswith("loaded 2099: ") and out.endswith(", 1 make-up working days\n")
    assert CalendarYear.objects.get(year=2099).source == ScheduleSource.FILE
    assert statutory(datetime.date(2099, 1, 4)).is_workday is True
    assert statutory(datetime.date(2099, 1, 2)).is_workday is False


def test_a_schedule_file_with_bad_rows_lists_them_and_writes_nothing(tmp_path):
    path = tmp_path / "2099.csv"
    path.write_text("date,is_workday,note\n2099-01-01,0,ok\n2099-13-01,0,bad date\n2098-12-31,0,wrong year\n"
                    "2099-01-05,maybe,bad flag\n2099-01-01,1,twice\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing loaded: 4 error"):
        call_command("load_calendar", "--file", str(path), "--year", "2099", stdout=StringIO(), stderr=(err := StringIO()))
    messages = err.getvalue()
    assert "row 3: date '2099-13-01'" in messages
    assert "row 4: date 2098-12-31 is not in 2099" in messages
    assert "row 5: is_workday 'maybe'" in messages
    assert "row 6: date 2099-01-01 appears twice" in messages
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_a_schedule_file_for_a_year_the_package_covers_is_refused(tmp_path):
    path = tmp_path / "2025.csv"
    path.write_text("date,is_workday,note\n2025-01-01,0,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="already covers 2025"):
        run("--file", str(path), "--year", "2025")
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--file", "/nonexistent/2099.csv", "--year", "2099"], "no such file"),
    (["--file", "x.csv"], "go together"),
    (["--years", "2025", "--year", "2099", "--file", "x.csv"], "not both"),
])
def test_bad_arguments_exit_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not CalendarDay.objects.exists()
