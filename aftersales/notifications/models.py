"""The notifications outbox and the webhook endpoints messages go to.

A service that decides to tell someone writes a `Notification` row in its own transaction
(so the decision and the message commit together, or neither does); the delivery job sends
due rows by e-mail or webhook, records every attempt's error, and retries with back-off.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.fields import EncryptedTextField, UnreadableValue, mask_url
from aftersales.core.models import TimeStampedModel
from aftersales.notifications.choices import NotificationChannel, NotificationStatus, WebhookKind
from aftersales.tickets.choices import Level


class WebhookEndpoint(TimeStampedModel):
    """A chat robot or HTTP receiver that gets escalation messages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=WebhookKind.choices, default=WebhookKind.WECOM)
    # Both hold credentials (the address carries the WeCom key or the DingTalk access token):
    # stored encrypted, shown masked, never searched (decision 0014).
    url = EncryptedTextField(_("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])],
                             mask=mask_url, help_text=_("The robot's webhook address, key or access token included."))
    secret = EncryptedTextField(_("signing secret"), max_length=200, blank=True,
                                help_text=_("DingTalk robots with “sign” security: the SEC... secret."))
    active = models.BooleanField(_("active"), default=True)
    group = models.ForeignKey("tickets.ServiceGroup", verbose_name=_("only for group"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="webhook_endpoints",
                              help_text=_("Empty: service requests of every group."))
    # Comma-separated levels ("L1,L2"); empty means every level.
    levels = models.CharField(_("only for levels"), max_length=20, blank=True,
                              help_text=_("Empty: every level."))
    mobiles = models.CharField(_("mobiles to @"), max_length=300, blank=True,
                               help_text=_("DingTalk: comma-separated mobile numbers to mention in every message."))

    customer_scope = None  # the organisation's own configuration

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notifications:webhookendpoint_detail", args=[self.pk])

    def get_url_display(self) -> str:
        """The address as pages show it: scheme, host and its last four characters."""
        return mask_url(self.url)

    def get_secret_display(self) -> str:
        if isinstance(self.secret, UnreadableValue):
            return str(_("(cannot be decrypted)"))
        return str(_("set")) if self.secret else ""

    @property
    def credentials_unreadable(self) -> bool:
        """The stored address or secret was encrypted with a key no longer configured."""
        return isinstance(self.url, UnreadableValue) or isinstance(self.secret, UnreadableValue)

    @property
    def level_list(self) -> list[str]:
        return [lv for lv in self.levels.split(",") if lv]

    @property
    def mobile_list(self) -> list[str]:
        return [m.strip() for m in self.mobiles.split(",") if m.strip()]

    def clean(self):
        errors = {}
        unknown = [lv for lv in self.level_list if lv not in Level.values]
        if unknown:
            errors["levels"] = _("Unknown levels: %(levels)s.") % {"levels": ", ".join(unknown)}
        if self.secret and self.kind != WebhookKind.DINGTALK:
            errors["secret"] = _("Only DingTalk robots sign their messages; leave the secret empty.")
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """One message to one recipient (an e-mail address or a webhook endpoint)."""

    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=500,
                                 help_text=_("The e-mail address, or the webhook endpoint's name."))
    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("webhook endpoint"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedup_key = models.CharField(_("de-duplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the next delivery attempt is due; a claimed row's is pushed past the claim's lease.
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("service request"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="notifications")

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The delivery job's question, "which pending messages are due?", reads only this.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"),
                         name="notification_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"[:120]

    def get_absolute_url(self) -> str:
        return reverse("notifications:notification_detail", args=[self.pk])
