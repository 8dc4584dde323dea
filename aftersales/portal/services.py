"""Writes of the customer portal: a customer user reports a problem or comments on a
request. Both go through the tickets services (grading, clocks, timeline, audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from aftersales.customers.models import Contact
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_comment, ticket_create

REPORT_FIELDS = ("site", "equipment", "category", "impact", "outage_started_at", "subject", "description")


def portal_report(*, actor, data: dict[str, Any], now: datetime | None = None) -> Ticket:
    """A customer user reports a problem for its own organisation (channel "portal"). The
    caller is the contact: the customer's contact with the user's e-mail when there is one,
    and the user's name and phone. ValidationError with field messages on bad input."""
    fields = {name: data.get(name) for name in REPORT_FIELDS}
    contact = None
    if actor.email:
        contact = Contact.objects.filter(customer_id=actor.customer_id, email__iexact=actor.email).first()
    fields.update(customer=actor.customer, contact=contact,
                  caller_name=actor.get_full_name() or actor.get_username(), caller_phone=actor.phone)
    return ticket_create(actor=actor, data=fields, channel=Channel.PORTAL, now=now)


def portal_comment(*, ticket: Ticket, text: str, actor, now: datetime | None = None) -> TicketEvent:
    """A comment from the customer on its request, marked as such on the timeline."""
    with transaction.atomic():
        event = ticket_comment(ticket=ticket, text=text, actor=actor, now=now)
        event.data["from_customer"] = True
        event.save(update_fields=["data"])
    return event
