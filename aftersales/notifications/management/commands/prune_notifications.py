"""`aftersales prune_notifications [--days N] [--failed-days N] [--dry-run]`: remove old
messages from the outbox now (the worker does it every hour) and print how many."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aftersales.notifications.services import notifications_prune


class Command(BaseCommand):
    help = ("Remove sent notifications older than NOTIFICATION_RETENTION_DAYS (default 90) and failed ones "
            "older than NOTIFICATION_FAILED_RETENTION_DAYS (default 365) from the outbox; print how many.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep sent messages this many days (default: NOTIFICATION_RETENTION_DAYS).")
        parser.add_argument("--failed-days", type=int, default=None,
                            help="Keep failed messages this many days (default: NOTIFICATION_FAILED_RETENTION_DAYS).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; remove nothing.")

    def handle(self, *args, days: int | None, failed_days: int | None, dry_run: bool, **options):
        for option, value in (("--days", days), ("--failed-days", failed_days)):
            if value is not None and value < 1:
                raise CommandError(f"{option} must be at least 1.")
        try:
            report = notifications_prune(sent_days=days, failed_days=failed_days, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(report))
