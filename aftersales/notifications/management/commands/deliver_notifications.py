"""`aftersales deliver_notifications`: send the due messages of the outbox once and print
how many were sent, will be retried, or failed for good."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aftersales.notifications.services import deliver_due


class Command(BaseCommand):
    help = "Send the due e-mails and webhook messages of the notifications outbox once."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="Rows claimed per batch (default 200).")

    def handle(self, *args, limit: int, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        report = deliver_due(limit=limit)
        self.stdout.write(str(report))
        if report.failed:
            self.stderr.write(f"{report.failed} notifications failed for good; see the outbox page.")
