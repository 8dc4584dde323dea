"""`aftersales demo_logins [--url URL]`: the demo accounts and their documented passwords."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from aftersales.accounts.choices import Role
from aftersales.core.demo import DEMO_USERS


class Command(BaseCommand):
    help = "Print the URL to open and the demo usernames, roles and passwords created by `aftersales seed_demo`."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the site runs")

    def handle(self, *args, url, **options):
        existing = {
            u.username: u for u in get_user_model().objects.filter(username__in=[d.username for d in DEMO_USERS])
            .select_related("customer")
        }
        rows = []
        for demo in DEMO_USERS:
            user = existing.get(demo.username)
            if user is None:
                note = "not seeded yet: run `aftersales seed_demo`"
            elif user.role == Role.CUSTOMER:
                note = f"{user.customer.code} {user.customer.name}"
            else:
                note = ""
            rows.append((demo.username, str(Role(demo.role).label), demo.password, note))
        header = ("username", "role", "password", "")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
        self.stdout.write(f"Open {url} and log in as:")
        for row in [header, *rows]:
            self.stdout.write("  " + "  ".join(str(v).ljust(w) for v, w in zip(row[:3], widths, strict=True))
                              + (f"  {row[3]}" if row[3] else ""))
