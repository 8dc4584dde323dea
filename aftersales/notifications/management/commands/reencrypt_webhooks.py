"""`aftersales reencrypt_webhooks`: after a SECRET_KEY rotation, write every webhook
endpoint's address and secret again, encrypted with the current key, so the old key can
leave SECRET_KEY_FALLBACKS (decision 0014). Prints how many were moved; exit status 1 when
some cannot be decrypted with any configured key (they are left as they are)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aftersales.notifications.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Re-encrypt webhook addresses and secrets with the current SECRET_KEY (after a key rotation)."

    def handle(self, *args, **options):
        moved, unreadable = 0, []
        with transaction.atomic():
            for endpoint in WebhookEndpoint.objects.select_for_update().order_by("pk"):
                if endpoint.credentials_unreadable:
                    unreadable.append(endpoint.name)
                    continue
                endpoint.save(update_fields=["url", "secret"])
                moved += 1
        self.stdout.write(f"{moved} webhook endpoints re-encrypted with the current key.")
        if unreadable:
            raise CommandError(f"{len(unreadable)} cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS "
                               f"and were left as they are: {', '.join(unreadable)}. Enter their address and "
                               "secret again on their pages.")
