"""`aftersales recompute_sla [--calendar 5x8] [--chunk-size N]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.calendars.selectors import calendar_codes
from aftersales.tickets.recompute import CHUNK_SIZE, recompute_open_tickets


class Command(BaseCommand):
    help = ("Recompute the SLA due times of open service requests against the calendar tables as they are "
            "now (this also runs by itself after every calendar change): open targets move, met ones stay, "
            "unfired warnings move with them, and the provisional flag is cleared where every due time "
            "falls in a loaded year. Safe to run again; prints progress per chunk.")

    def add_arguments(self, parser):
        parser.add_argument("--calendar", metavar="CODE", help="only tickets on this service calendar (e.g. 5x8)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, metavar="N",
                            help=f"tickets per transaction (default {CHUNK_SIZE})")

    def handle(self, *args, calendar=None, chunk_size=CHUNK_SIZE, **options):
        if calendar is not None and calendar not in calendar_codes():
            raise CommandError(f"unknown service calendar {calendar!r}; known: {', '.join(calendar_codes()) or 'none'}")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done}/{total} service requests recomputed")

        result = recompute_open_tickets(calendar, now=timezone.now(), chunk_size=chunk_size, progress=progress)
        self.stdout.write(result.summary())
