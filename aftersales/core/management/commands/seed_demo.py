"""`aftersales seed_demo [--customers N] [--force]`: deterministic, realistic demo data."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.core.demo import DEFAULT_CUSTOMERS, seed_demo
from aftersales.tickets.demo import seed_tickets


class Command(BaseCommand):
    help = ("Fill the database with demo customers, sites, contacts, contracts, products, equipment and "
            "warranty cards, plus one demo user per role (see `aftersales demo_logins`). Safe to run again: "
            "existing demo rows are kept, missing ones added.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS,
                            help=f"how many demo customers (default {DEFAULT_CUSTOMERS}: about 200 sites, "
                                 "60 contracts and 2,000 units); everything else scales with it")
        parser.add_argument("--force", action="store_true",
                            help="seed even though DEBUG is off: demo users have published passwords")

    def handle(self, *args, customers, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like a production database, and the demo users' "
                               "passwords are published. Use --force if this really is a demo.")
        if not 2 <= customers <= 999:
            raise CommandError("--customers must be between 2 and 999")
        started = time.monotonic()
        created = seed_demo(customers=customers, today=timezone.localdate(),
                            progress=lambda line: self.stdout.write(f"  {line}"))
        created |= seed_tickets(customers=customers, progress=lambda line: self.stdout.write(f"  {line}"))
        total = sum(created.values())
        elapsed = time.monotonic() - started
        if total:
            self.stdout.write(f"demo data seeded: {total} new rows in {elapsed:.1f} s; "
                              "log in with the accounts listed by `aftersales demo_logins`")
        else:
            self.stdout.write(f"demo data already complete: nothing new ({elapsed:.1f} s)")
