"""`aftersales sla_deadline --calendar 5x8 --start 2025-01-27T18:00:00+08:00 --minutes 240`
prints `2025-02-05T12:00:00+08:00`; `--csv FILE` (start,minutes) prints start,minutes,deadline."""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersales.calendars.selectors import UnknownCalendar, business_calendar, calendar_codes
from aftersales.domain.calendar import BusinessCalendar, Deadline, add_business_minutes_checked


class BadInput(ValueError):
    pass


def parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"start {text!r} is not an ISO 8601 date and time such as 2025-01-27T18:00:00+08:00") from None
    if start.tzinfo is None or start.utcoffset() is None:
        raise BadInput(f"start {text!r} has no UTC offset; write it like 2025-01-27T18:00:00+08:00")
    return start


def parse_minutes(text: str) -> int:
    try:
        minutes = int(str(text).strip())
    except ValueError:
        raise BadInput(f"minutes {text!r} is not a whole number") from None
    if minutes < 0:
        raise BadInput(f"minutes {minutes} must not be negative")
    return minutes


def deadline_of(calendar: BusinessCalendar, start_text: str, minutes_text: str) -> tuple[int, Deadline]:
    start, minutes = parse_start(start_text), parse_minutes(minutes_text)
    return minutes, add_business_minutes_checked(calendar, start, minutes)


def format_deadline(deadline: Deadline) -> str:
    # isoformat keeps seconds always and microseconds only when there are some.
    return deadline.at.isoformat()


class Command(BaseCommand):
    help = ("The SLA deadline: the earliest instant at which MINUTES business minutes have passed "
            "since START on a service calendar (5x8, 7x24, ...), as ISO 8601 in the calendar's "
            "time zone. A deadline that runs into a year whose official schedule is not loaded "
            "is an error unless --provisional is given.")

    def add_arguments(self, parser):
        parser.add_argument("--calendar", required=True, help="service calendar code, e.g. 5x8 or 7x24")
        parser.add_argument("--start", help="ISO 8601 start with its UTC offset, e.g. 2025-01-27T18:00:00+08:00")
        parser.add_argument("--minutes", help="business minutes, a whole number >= 0")
        parser.add_argument("--csv", metavar="FILE", help="batch: a CSV with columns start,minutes ('-' reads standard input)")
        parser.add_argument("--provisional", action="store_true",
                            help="accept deadlines computed on plain Monday-Friday working days for years "
                                 "whose schedule is not loaded (reported on standard error)")

    def handle(self, *args, calendar, start=None, minutes=None, provisional=False, **options):
        batch_file = options.get("csv")
        if batch_file and (start is not None or minutes is not None):
            raise CommandError("use either --start and --minutes, or --csv, not both")
        if not batch_file and (start is None or minutes is None):
            raise CommandError("give --start and --minutes (or --csv FILE)")
        try:
            business = business_calendar(calendar)
        except UnknownCalendar:
            raise CommandError(f"unknown calendar {calendar!r}; known calendars: "
                               f"{', '.join(calendar_codes()) or 'none'}") from None
        if batch_file:
            self.handle_batch(business, calendar, batch_file, provisional)
            return
        try:
            _minutes, deadline = deadline_of(business, start, minutes)
        except BadInput as exc:
            raise CommandError(str(exc)) from None
        if deadline.provisional:
            self.refuse_or_warn(calendar, provisional)
        self.stdout.write(format_deadline(deadline))

    def refuse_or_warn(self, code: str, provisional: bool, rows: list[int] | None = None) -> None:
        where = f" (rows {', '.join(map(str, rows))})" if rows else ""
        if not provisional:
            raise CommandError(
                f"the deadline{where} runs into days whose official schedule is not loaded on calendar "
                f"{code}; load the year with `aftersales load_calendar`, or pass --provisional to accept a "
                f"deadline on plain Monday-Friday working days")
        self.stderr.write(f"provisional{where}: computed on plain Monday-Friday working days for days whose "
                          f"official schedule is not loaded; loading the year may move it")

    def handle_batch(self, business: BusinessCalendar, code: str, file: str, provisional: bool) -> None:
        if file == "-":
            text = sys.stdin.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"no such file: {file}")
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise CommandError(f"{path.name} is not UTF-8 text") from None
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        if "start" not in header or "minutes" not in header:
            raise CommandError("the CSV needs a header row with the columns start,minutes")
        reader.fieldnames = header
        results, errors, provisional_rows = [], [], []
        for line, row in enumerate(reader, start=2):
            start_text, minutes_text = (row.get("start") or "").strip(), (row.get("minutes") or "").strip()
            if not start_text and not minutes_text:
                continue
            try:
                minutes, deadline = deadline_of(business, start_text, minutes_text)
            except BadInput as exc:
                errors.append(f"row {line}: {exc}")
                continue
            if deadline.provisional:
                provisional_rows.append(line)
            results.append((start_text, minutes, deadline))
        # Nothing is printed unless every row has its deadline: a partial answer would look whole.
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"no deadlines printed: {len(errors)} bad row(s)")
        if provisional_rows:
            self.refuse_or_warn(code, provisional, rows=provisional_rows)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["start", "minutes", "deadline"])
        for start_text, minutes, deadline in results:
            writer.writerow([start_text, minutes, format_deadline(deadline)])
        self.stdout.write(out.getvalue(), ending="")
