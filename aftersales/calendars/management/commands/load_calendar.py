"""`aftersales load_calendar [--years 2024 2025 ...]` or `--file F --year Y`."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aftersales.calendars import services
from aftersales.calendars.choices import ScheduleSource
from aftersales.calendars.schedule_file import decode, read_schedule
from aftersales.domain.holidays import china_covered_years


class Command(BaseCommand):
    help = ("Load China's statutory holidays and make-up working days into the calendar table: from "
            "the chinesecalendar package (default: every year it covers), or one year's published "
            "schedule from a CSV file (columns date,is_workday,note). Loading again changes nothing; "
            "company days entered by administrators are kept and still win.")

    def add_arguments(self, parser):
        parser.add_argument("--years", nargs="+", type=int, metavar="YEAR",
                            help="years to load from the package (default: all it covers)")
        parser.add_argument("--file", metavar="CSV", help="a year's published schedule: date,is_workday,note")
        parser.add_argument("--year", type=int, help="the year the --file describes")

    def handle(self, *args, years=None, file=None, year=None, **options):
        if file or year is not None:
            if years:
                raise CommandError("use either --years (from the package) or --file with --year, not both")
            loads = [self.load_file(file, year)]
        else:
            try:
                loads = services.china_years_load(actor=None, years=years)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        for load in loads:
            self.stdout.write(f"loaded {load.year}: {load.days_off} days off, "
                              f"{load.make_up_days} make-up working days")

    def load_file(self, file: str | None, year: int | None) -> services.YearLoad:
        if not file or year is None:
            raise CommandError("--file and --year go together: --file schedule.csv --year 2027")
        if year in china_covered_years():
            raise CommandError(f"the chinesecalendar package already covers {year}; "
                               f"load it with --years {year}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            text = decode(path.read_bytes())
        except ValueError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        days, errors = read_schedule(text, year)
        if errors:
            for error in errors:
                self.stderr.write(f"{path.name} {error}")
            raise CommandError(f"nothing loaded: {len(errors)} error(s) in {path.name}")
        try:
            return services.statutory_year_load(actor=None, year=year, days=days, source=ScheduleSource.FILE)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
