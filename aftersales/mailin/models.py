"""Every e-mail that reached the intake, kept with its raw bytes, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.mailin.choices import MailReason, MailStatus, MailVia


class InboundMail(models.Model):
    """One received message. The Message-ID is unique, so a mail fetched twice (a retried
    SMTP delivery, two IMAP pollers) is taken once; the raw message is kept whatever
    happens to it, so nothing is ever lost."""

    message_id = models.CharField(_("message id"), max_length=255, unique=True,
                                  help_text=_("From the Message-ID header, or a digest of the raw message when it has none."))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    via = models.CharField(_("received via"), max_length=10, choices=MailVia.choices)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    to = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text_body = models.TextField(_("text"), blank=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    attachments = models.JSONField(_("attachments"), default=list, blank=True,
                                   help_text=_("Name, type and size of each attachment."))
    status = models.CharField(_("status"), max_length=20, choices=MailStatus.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=30, choices=MailReason.choices, blank=True)
    reason_detail = models.CharField(_("details"), max_length=500, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("service request"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="inbound_mails")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_note = models.CharField(_("note"), max_length=500, blank=True)

    # A customer user may only ever meet mails matched to its own customer; triage and
    # quarantine mails have no customer and are invisible to them.
    customer_scope = "customer"

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        indexes = [models.Index(fields=["status", "received_at"], name="inboundmail_status_received")]
        permissions = [("view_quarantine", _("Can see quarantined mail and download raw messages"))]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '-'}"

    def get_absolute_url(self) -> str:
        return reverse("mailin:mail_detail", args=[self.pk])
