"""Writes of the mail intake: take a received message (new request, comment, triage or
quarantine), and the triage actions (create a request, attach to one, discard).

`mail_receive` is the one door every message comes through, from the SMTP endpoint, the
IMAP poller or a test; it runs in one transaction and never drops a message: whatever
cannot be read is kept, raw, in quarantine. Routing rules are in
aftersales.domain.mailparse and docs/decisions/0010-email-intake.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import services as core_services
from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.customers.models import Contact
from aftersales.domain import mailparse
from aftersales.mailin.choices import MailStatus
from aftersales.mailin.models import InboundMail
from aftersales.tickets.choices import OPEN_STATUSES, Channel, EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_create

SUBJECT_MAX = 300
TICKET_SUBJECT_MAX = 200


@dataclass
class ParsedMail:
    """What the intake reads from a message; `failure` says why it could not be read."""

    message_id: str = ""
    from_address: str = ""
    from_name: str = ""
    to: str = ""
    subject: str = ""
    text: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    failure: str = ""


def _digest_id(raw: bytes) -> str:
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@aftersales.invalid>"


def _header(message, name: str) -> str:
    value = message.get(name)
    return str(value).strip() if value is not None else ""


def _read_headers(message, parsed: ParsedMail) -> None:
    ids = mailparse.message_ids(_header(message, "Message-ID"))
    parsed.message_id = (ids[0] if ids else _header(message, "Message-ID"))[:255]
    senders = getaddresses([_header(message, "From") or _header(message, "Sender")])
    name, address = senders[0] if senders else ("", "")
    parsed.from_address = mailparse.normalise_address(address)[:254]
    parsed.from_name = name.strip()[:200]
    parsed.to = ", ".join(addr for _name, addr in getaddresses([_header(message, "To"), _header(message, "Cc")]) if addr)
    parsed.subject = " ".join(_header(message, "Subject").split())[:SUBJECT_MAX]
    parsed.in_reply_to = (mailparse.message_ids(_header(message, "In-Reply-To"))
                          + mailparse.message_ids(_header(message, "References")))


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")


def parse_message(raw: bytes, *, max_bytes: int) -> ParsedMail:
    """Read `raw` with the standard library (policy.default). Oversize messages are read for
    their headers only. Never raises: a message that cannot be read comes back with
    `failure` set."""
    parsed = ParsedMail()
    try:
        if len(raw) > max_bytes:
            _read_headers(BytesHeaderParser(policy=policy.default).parsebytes(raw), parsed)
            return parsed
        message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
        if not message.keys():
            parsed.failure = _("No mail headers found.")
            return parsed
        _read_headers(message, parsed)
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            text = _part_text(body)
            parsed.text = mailparse.html_to_text(text) if body.get_content_type() == "text/html" else text
        elif not message.is_multipart():
            parsed.text = _part_text(message)
        for part in message.walk():
            if part.is_attachment():
                payload = part.get_payload(decode=True) or b""
                parsed.attachments.append({"name": part.get_filename() or "", "type": part.get_content_type(),
                                           "size": len(payload)})
    except Exception as exc:  # noqa: BLE001 - any failure to read is a quarantine reason, never a lost mail
        parsed.failure = f"{type(exc).__name__}: {exc}"[:500]
    return parsed


def _referenced_ticket(parsed: ParsedMail, number: str | None) -> mailparse.TicketRef | None:
    query = Ticket.objects.values("id", "customer_id", "status")
    row = query.filter(number=number).first() if number else None
    if row is None and parsed.in_reply_to:
        known = (InboundMail.objects.filter(message_id__in=parsed.in_reply_to[:50], ticket__isnull=False)
                 .order_by("-received_at").values_list("ticket_id", flat=True).first())
        row = query.filter(pk=known).first() if known else None
    if row is None:
        return None
    return mailparse.TicketRef(id=row["id"], customer_id=row["customer_id"], is_open=row["status"] in OPEN_STATUSES)


def _mail_audit_data(mail: InboundMail) -> dict:
    data = snapshot(mail)
    data.pop("raw", None)  # kept in the row itself; the audit log holds JSON
    return data


def _email_event(*, ticket_id: int, mail: InboundMail, text: str, actor, now: datetime) -> TicketEvent:
    """The timeline entry "e-mail received" on the ticket, with the new text of the mail."""
    return TicketEvent.objects.create(
        ticket_id=ticket_id, kind=EventKind.EMAIL, at=now, actor=actor if getattr(actor, "pk", None) else None,
        data={"text": text, "from": mail.from_address, "subject": mail.subject, "mail": mail.pk})


def _ticket_data(mail: InboundMail, *, customer, contact) -> dict:
    return {"customer": customer, "contact": contact,
            "subject": (mail.subject or _("E-mail from %(sender)s") % {"sender": mail.from_address})[:TICKET_SUBJECT_MAX],
            "description": mail.text_body}


def mail_receive(raw: bytes, *, now: datetime | None = None, via: str) -> tuple[InboundMail, bool]:
    """Take one received message. Returns the stored mail and whether it was new: the same
    Message-ID a second time returns the first mail and changes nothing.

    A reply from a contact of the ticket's customer becomes an "e-mail received" event on the
    ticket; a new mail from a contact of one customer becomes a service request (channel
    e-mail); anything else waits in triage; what cannot be read is quarantined."""
    now = now or timezone.now()
    max_bytes = settings.MAILIN_MAX_BYTES
    parsed = parse_message(raw, max_bytes=max_bytes)
    message_id = parsed.message_id or _digest_id(raw)
    try:
        with transaction.atomic():
            existing = InboundMail.objects.filter(message_id=message_id).first()
            if existing is not None:
                return existing, False
            mail = InboundMail(message_id=message_id, received_at=now, via=via, raw=raw, size=len(raw),
                               from_address=parsed.from_address, from_name=parsed.from_name, to=parsed.to,
                               subject=parsed.subject, text_body=parsed.text, attachments=parsed.attachments,
                               status=MailStatus.TRIAGE)
            # Inserted first: a concurrent receive of the same Message-ID waits on the unique
            # key here and then fails, so only one of them ever creates a ticket.
            mail.save(force_insert=True)
            _route(mail, parsed, max_bytes=max_bytes, now=now)
            mail.save()
            audit_record(actor=None, action=AuditAction.CREATE, instance=mail, before=None, after=_mail_audit_data(mail))
    except IntegrityError:
        existing = InboundMail.objects.filter(message_id=message_id).first()
        if existing is None:
            raise
        return existing, False
    return mail, True


def _route(mail: InboundMail, parsed: ParsedMail, *, max_bytes: int, now: datetime) -> None:
    reason = mailparse.quarantine_reason(size=len(mail.raw), max_bytes=max_bytes, sender=parsed.from_address,
                                         parse_failed=bool(parsed.failure))
    if reason is not None:
        mail.status, mail.reason = MailStatus.QUARANTINED, reason
        mail.reason_detail = parsed.failure or (
            _("%(size)d bytes; the limit is %(limit)d.") % {"size": len(mail.raw), "limit": max_bytes}
            if reason == mailparse.Reason.TOO_LARGE else "")
        return
    contacts = list(Contact.objects.filter(email__iexact=parsed.from_address)
                    .order_by("-is_primary", "id").values_list("id", "customer_id"))
    number = mailparse.find_ticket_number(parsed.subject)
    decision = mailparse.decide(sender_customer_ids=[customer for _id, customer in contacts],
                                ticket=_referenced_ticket(parsed, number), ticket_number=number)
    contact_id = next((pk for pk, customer in contacts if customer == decision.customer_id), None)
    mail.customer_id, mail.contact_id, mail.ticket_id = decision.customer_id, contact_id, decision.ticket_id
    if decision.route == mailparse.Route.COMMENT:
        _email_event(ticket_id=decision.ticket_id, mail=mail, text=mailparse.strip_quoted_reply(mail.text_body),
                     actor=None, now=now)
        mail.status = MailStatus.COMMENT_ADDED
    elif decision.route == mailparse.Route.NEW_TICKET:
        contact = Contact.objects.select_related("customer").get(pk=contact_id)
        try:
            with transaction.atomic():
                ticket = ticket_create(actor=None, channel=Channel.EMAIL, now=now,
                                       data=_ticket_data(mail, customer=contact.customer, contact=contact))
        except ValidationError as exc:
            mail.status, mail.reason = MailStatus.TRIAGE, mailparse.Reason.TICKET_REJECTED
            mail.reason_detail = "; ".join(exc.messages)[:500]
        else:
            mail.ticket, mail.status = ticket, MailStatus.TICKET_CREATED
    else:
        mail.status, mail.reason = MailStatus.TRIAGE, decision.reason


# --------------------------------------------------------------------------- triage


def _require_status(mail: InboundMail, *allowed: str) -> None:
    if mail.status not in allowed:
        raise ValidationError({"__all__": _("This mail was already handled (%(status)s).")
                               % {"status": mail.get_status_display()}})


def _finish(mail: InboundMail, before: dict, *, actor, now: datetime, status: str, note: str = "") -> InboundMail:
    mail.status, mail.handled_by, mail.handled_at, mail.handled_note = status, actor, now, note[:500]
    mail.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=mail, before=before, after=_mail_audit_data(mail))
    return mail


def mail_create_ticket(*, mail: InboundMail, customer, actor, add_contact: bool = False, contact_name: str = "",
                       now: datetime | None = None) -> Ticket:
    """Triage: make a service request of `mail` for `customer`, optionally adding the sender
    as a contact of that customer first (so the next mail from them is taken directly)."""
    now = now or timezone.now()
    _require_status(mail, MailStatus.TRIAGE)
    if customer is None:
        raise ValidationError({"customer": _("Choose the customer.")})
    with transaction.atomic():
        before = _mail_audit_data(mail)
        contact = (Contact.objects.filter(customer=customer, email__iexact=mail.from_address).order_by("id").first()
                   if mail.from_address else None)
        if contact is None and add_contact:
            if not mail.from_address:
                raise ValidationError({"add_contact": _("The mail has no sender address to add.")})
            contact = core_services.object_create(actor=actor, model=Contact, data={
                "customer": customer, "email": mail.from_address,
                "name": (contact_name or mail.from_name or mail.from_address).strip()[:100]})
        ticket = ticket_create(actor=actor, channel=Channel.EMAIL, now=now,
                               data=_ticket_data(mail, customer=customer, contact=contact))
        mail.customer, mail.contact, mail.ticket = customer, contact, ticket
        _finish(mail, before, actor=actor, now=now, status=MailStatus.TICKET_CREATED)
    return ticket


def mail_attach(*, mail: InboundMail, ticket: Ticket, actor, now: datetime | None = None) -> TicketEvent:
    """Triage: add `mail` to `ticket`'s timeline as an e-mail received."""
    now = now or timezone.now()
    _require_status(mail, MailStatus.TRIAGE)
    if ticket is None:
        raise ValidationError({"ticket": _("Choose the service request.")})
    with transaction.atomic():
        before = _mail_audit_data(mail)
        event = _email_event(ticket_id=ticket.pk, mail=mail, text=mailparse.strip_quoted_reply(mail.text_body),
                             actor=actor, now=now)
        mail.ticket, mail.customer_id = ticket, ticket.customer_id
        _finish(mail, before, actor=actor, now=now, status=MailStatus.COMMENT_ADDED)
    return event


def mail_discard(*, mail: InboundMail, reason: str, actor, now: datetime | None = None) -> InboundMail:
    """Triage or quarantine: nothing to do with this mail (spam, an out-of-office answer).
    The row and its raw message stay."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the mail is discarded.")})
    _require_status(mail, MailStatus.TRIAGE, MailStatus.QUARANTINED)
    with transaction.atomic():
        before = _mail_audit_data(mail)
        return _finish(mail, before, actor=actor, now=now, status=MailStatus.DISCARDED, note=reason.strip())
