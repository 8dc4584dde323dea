from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SERVICE_DESK)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
        help_text=_("Customer users belong to exactly one customer."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="customer", customer__isnull=False) | (~models.Q(role="customer") & models.Q(customer__isnull=True))),
                name="user_customer_iff_customer_role",
            )
        ]

    @property
    def is_customer_user(self) -> bool:
        return self.role == Role.CUSTOMER

    def get_full_name(self) -> str:
        """Chinese names read surname first with no space (孙浩); others "Given Family"."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= char <= "\u9fff" for char in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    def clean(self):
        super().clean()
        if self.role == Role.CUSTOMER and self.customer_id is None:
            raise ValidationError({"customer": _("A customer user must belong to a customer.")})
        if self.role != Role.CUSTOMER and self.customer_id is not None:
            raise ValidationError({"customer": _("Only customer users belong to a customer.")})

    def save(self, *args, **kwargs):
        # Only administrators reach the Django admin.
        self.is_staff = self.role == Role.ADMINISTRATOR or self.is_superuser
        super().save(*args, **kwargs)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the raw token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def generate() -> str:
        return "as_" + secrets.token_urlsafe(32)
