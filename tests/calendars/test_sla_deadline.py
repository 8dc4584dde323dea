"""`aftersales sla_deadline`: the exact contract of issue 4."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from aftersales.calendars.models import CalendarDay, CalendarYear
from aftersales.core.models import AuditLog


def deadline(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sla_deadline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_issue_example(china_calendar):
    # 90 minutes on 27 January, the Spring Festival days off, then 150 minutes on 5 February.
    out, err = deadline("--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "240")
    assert out == "2025-02-05T12:00:00+08:00\n"
    assert err == ""


def test_seven_by_twenty_four_adds_plain_minutes(china_calendar):
    out, _ = deadline("--calendar", "7x24", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "240")
    assert out == "2025-01-27T22:00:00+08:00\n"


def test_a_start_in_another_offset_is_answered_in_the_calendars_offset(china_calendar):
    # 10:00 UTC on 30 September is 18:00 in Shanghai: 90 minutes that day, then the
    # National Day week (1-8 October) is off, so the rest falls on Thursday 9 October.
    out, _ = deadline("--calendar", "5x8", "--start", "2025-09-30T10:00:00Z", "--minutes", "120")
    assert out == "2025-10-09T10:00:00+08:00\n"


def test_a_deadline_on_closing_time_stays_there(china_calendar):
    out, _ = deadline("--calendar", "5x8", "--start", "2025-02-05T09:30:00+08:00", "--minutes", "600")
    assert out == "2025-02-05T19:30:00+08:00\n"


def test_csv_batch_prints_deadlines_in_the_same_order(china_calendar, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text("start,minutes\n"
                    "2025-02-08T09:30:00+08:00,60\n"  # a make-up Saturday: open
                    "2025-01-27T18:00:00+08:00,240\n"
                    "2025-01-26T19:00:00+08:00,0\n", encoding="utf-8")
    out, err = deadline("--calendar", "5x8", "--csv", str(path))
    assert out == ("start,minutes,deadline\n"
                   "2025-02-08T09:30:00+08:00,60,2025-02-08T10:30:00+08:00\n"
                   "2025-01-27T18:00:00+08:00,240,2025-02-05T12:00:00+08:00\n"
                   "2025-01-26T19:00:00+08:00,0,2025-01-26T19:00:00+08:00\n")
    assert err == ""


@pytest.mark.parametrize("args, message", [
    (["--calendar", "5x8", "--start", "27/01/2025 18:00", "--minutes", "240"], "is not an ISO 8601"),
    (["--calendar", "5x8", "--start", "2025-01-27T18:00:00", "--minutes", "240"], "has no UTC offset"),
    (["--calendar", "9x5", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "240"],
     "unknown calendar '9x5'; known calendars: 5x8, 7x24"),
    (["--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "-1"], "must not be negative"),
    (["--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "1.5"], "not a whole number"),
    (["--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00"], "give --start and --minutes"),
])
def test_bad_input_exits_with_a_message_and_writes_nothing(china_calendar, args, message):
    before = (CalendarDay.objects.count(), CalendarYear.objects.count(), AuditLog.objects.count())
    with pytest.raises(CommandError, match=message):
        deadline(*args)
    assert (CalendarDay.objects.count(), CalendarYear.objects.count(), AuditLog.objects.count()) == before


def test_a_bad_csv_row_prints_no_deadline_at_all(china_calendar, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text("start,minutes\n2025-01-27T18:00:00+08:00,240\n2025-01-27T18:00:00+08:00,-5\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("sla_deadline", "--calendar", "5x8", "--csv", str(path), stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert "row 3: minutes -5 must not be negative" in err.getvalue()


def test_a_deadline_beyond_the_loaded_years_is_an_error(china_calendar):
    with pytest.raises(CommandError, match="not loaded .* --provisional"):
        deadline("--calendar", "5x8", "--start", "2026-12-31T18:00:00+08:00", "--minutes", "240")


def test_provisional_gives_the_plain_monday_to_friday_answer_and_says_so(china_calendar):
    out, err = deadline("--calendar", "5x8", "--start", "2026-12-31T18:00:00+08:00", "--minutes", "240",
                        "--provisional")
    # 2027 is not loaded: Friday 1 January counts as an ordinary working day.
    assert out == "2027-01-01T12:00:00+08:00\n"
    assert "provisional" in err


def test_nothing_loaded_means_every_5x8_deadline_is_provisional(db):
    with pytest.raises(CommandError, match="not loaded"):
        deadline("--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "240")
    # 7x24 depends on no published schedule.
    assert deadline("--calendar", "7x24", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "1")[0] \
        == "2025-01-27T18:01:00+08:00\n"


def test_provisional_rows_of_a_batch_are_named(china_calendar, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text("start,minutes\n2025-01-27T18:00:00+08:00,240\n2026-12-31T18:00:00+08:00,240\n")
    with pytest.raises(CommandError, match=r"\(rows 3\)"):
        deadline("--calendar", "5x8", "--csv", str(path))
    out, err = deadline("--calendar", "5x8", "--csv", str(path), "--provisional")
    assert out.splitlines()[-1] == "2026-12-31T18:00:00+08:00,240,2027-01-01T12:00:00+08:00"
    assert "provisional (rows 3)" in err


def test_the_real_command_line(tmp_path):
    """The installed console script on its own database: migrate, load, ask."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "AFTERSALES_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "SECRET_KEY": "test-only-" + "x" * 40,
           "DEBUG": "0", "AFTERSALES_TESTING": "1"}
    manage = [sys.executable, "-m", "aftersales"]
    root = Path(__file__).resolve().parents[2]

    def run(*args):
        return subprocess.run([*manage, *args], env=env, cwd=root, capture_output=True, text=True, timeout=120)

    assert run("migrate", "-v0").returncode == 0
    loaded = run("load_calendar", "--years", "2025")
    assert loaded.stdout == "loaded 2025: 117 days off, 5 make-up working days\n"
    result = run("sla_deadline", "--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "240")
    assert (result.returncode, result.stdout) == (0, "2025-02-05T12:00:00+08:00\n")
    refused = run("sla_deadline", "--calendar", "5x8", "--start", "2025-01-27T18:00:00+08:00", "--minutes", "-1")
    assert refused.returncode != 0 and refused.stdout == ""
    assert "must not be negative" in refused.stderr
