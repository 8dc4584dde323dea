from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API bearer token for a user and print it (only the token, on stdout; it is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username of the token's owner")
        parser.add_argument("--name", default="", help="a label to recognise the token by, e.g. 'ERP sync'")
        parser.add_argument("--days", type=int, default=None, help="days until the token expires (default: never)")

    def handle(self, *args, user, name, days, **options):
        try:
            owner = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {user!r}.") from exc
        if not owner.is_active:
            raise CommandError(f"The user {user!r} is inactive; activate it before issuing a token.")
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            _token, raw = api_token_create(user=owner, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        # Scripts capture stdout as the token, so nothing else goes there.
        self.stdout.write(raw)
