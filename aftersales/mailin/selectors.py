"""Reads of the mail intake, scoped to the user (a customer user never sees a mail that
was not matched to its own customer; triage and quarantine mails have no customer)."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.mailin.choices import MailStatus
from aftersales.mailin.models import InboundMail

# The list pages never load the raw message or the whole text.
LIST_FIELDS = ("id", "received_at", "via", "from_address", "from_name", "subject", "status", "reason",
               "reason_detail", "size", "attachments")


def mails_waiting_for_triage(*, user) -> QuerySet[InboundMail]:
    return scoped(InboundMail.objects.filter(status=MailStatus.TRIAGE), user).only(*LIST_FIELDS)


def mails_in_quarantine(*, user) -> QuerySet[InboundMail]:
    return scoped(InboundMail.objects.filter(status=MailStatus.QUARANTINED), user).only(*LIST_FIELDS)


def recently_handled_mails(*, user, limit: int = 20) -> QuerySet[InboundMail]:
    """The last mails a person triaged, newest first, for the triage page's footer."""
    return (scoped(InboundMail.objects.filter(handled_at__isnull=False), user)
            .select_related("handled_by", "ticket").only(*LIST_FIELDS, "handled_at", "handled_note",
                                                        "handled_by__username", "ticket__number")
            .order_by("-handled_at", "-id")[:limit])


def mail_for(*, user, pk) -> InboundMail:
    """One mail (404 when the user may not see it), with its links."""
    return get_scoped_or_404(InboundMail.objects.select_related("customer", "contact", "ticket", "handled_by")
                             .defer("raw"), user, pk=pk)


def mail_raw(*, user, pk) -> InboundMail:
    return get_scoped_or_404(InboundMail.objects.only("id", "message_id", "raw", "status", "customer_id"), user, pk=pk)
