import hashlib
import secrets

from django.core.management.base import BaseCommand

from bare.models import ApiToken, Customer


class Command(BaseCommand):
    help = "Create N customers and one API token; print only the raw token (stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=5)

    def handle(self, *args, customers, **options):
        Customer.objects.bulk_create([Customer(name=f"Bench customer {i}") for i in range(1, customers + 1)])
        raw = "bare_" + secrets.token_urlsafe(32)
        ApiToken.objects.create(key_hash=hashlib.sha256(raw.encode()).hexdigest(), name="intake benchmark")
        self.stdout.write(raw)
