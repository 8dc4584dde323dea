"""Reading a year's published schedule from a CSV file (columns date,is_workday,note), for
a year the chinesecalendar package does not cover yet. Every row is checked before
anything is written; errors name the row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

TRUE_WORDS = {"1", "true", "yes", "y", "是", "班"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "休"}
COLUMNS = ("date", "is_workday", "note")


@dataclass(frozen=True)
class RowError:
    row: int  # the line number in the file, the header being line 1
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor GB18030 text")


def read_schedule(text: str, year: int) -> tuple[dict[date, tuple[bool, str]], list[RowError]]:
    """(date -> (is a working day, note), errors) from CSV text with a header row."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS[:2] if name not in header]
    if missing:
        return {}, [RowError(1, f"missing column(s): {', '.join(missing)}; expected date,is_workday,note")]
    reader.fieldnames = header
    days: dict[date, tuple[bool, str]] = {}
    errors: list[RowError] = []
    for line, row in enumerate(reader, start=2):
        raw_date = (row.get("date") or "").strip()
        raw_flag = (row.get("is_workday") or "").strip().lower()
        note = (row.get("note") or "").strip()
        if not raw_date and not raw_flag and not note:
            continue  # blank line
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            errors.append(RowError(line, f"date {raw_date!r} is not a date like {year}-01-01"))
            continue
        if day.year != year:
            errors.append(RowError(line, f"date {day.isoformat()} is not in {year}"))
            continue
        if raw_flag in TRUE_WORDS:
            working = True
        elif raw_flag in FALSE_WORDS:
            working = False
        else:
            errors.append(RowError(line, f"is_workday {raw_flag!r} must be 1 (working day) or 0 (day off)"))
            continue
        if len(note) > 120:
            errors.append(RowError(line, "note is longer than 120 characters"))
            continue
        if day in days:
            errors.append(RowError(line, f"date {day.isoformat()} appears twice"))
            continue
        days[day] = (working, note)
    if not days and not errors:
        errors.append(RowError(1, "the file lists no days"))
    return days, errors
