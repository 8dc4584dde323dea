"""Choices of the mail intake. Reason values are the domain's own
(aftersales.domain.mailparse.Reason), so a stored value converts with a plain call."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Service request created")
    COMMENT_ADDED = "comment_added", _("Added to a service request")
    TRIAGE = "triage", _("Waiting for triage")
    QUARANTINED = "quarantined", _("Quarantined")
    DISCARDED = "discarded", _("Discarded")


class MailReason(models.TextChoices):
    UNKNOWN_SENDER = "unknown_sender", _("The sender is not a contact of any customer")
    AMBIGUOUS_SENDER = "ambiguous_sender", _("The sender is a contact of several customers")
    NOT_A_CONTACT_OF_TICKET = "not_a_contact_of_ticket", _("A reply from someone who is not a contact of the request's customer")
    UNKNOWN_TICKET = "unknown_ticket", _("The subject names a service request that does not exist")
    TICKET_CLOSED = "ticket_closed", _("A reply to a closed service request")
    TICKET_REJECTED = "ticket_rejected", _("The service request could not be created")
    UNPARSEABLE = "unparseable", _("The message cannot be read")
    NO_SENDER = "no_sender", _("The message has no usable sender address")
    TOO_LARGE = "too_large", _("The message is larger than the limit")


class MailVia(models.TextChoices):
    SMTP = "smtp", _("SMTP endpoint")
    IMAP = "imap", _("IMAP mailbox")
    UPLOAD = "upload", _("Uploaded")
