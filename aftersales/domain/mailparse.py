"""What an inbound e-mail is: a new service request, a reply to one, a case for a person
(triage), or something that cannot be read (quarantine).

Pure functions on plain values: the mail app parses the message with the standard library,
looks the sender and the referenced ticket up in the database, and asks `decide()` where the
mail goes. Nothing here reads a clock or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# SR-<year>-<6 digits>, the ticket number `ticket_create` gives out; matched anywhere in the
# subject ("Re: [SR-2026-000123] ...", "回复：SR-2026-000123").
TICKET_NUMBER = re.compile(r"(?<![A-Za-z0-9])SR-(\d{4})-(\d{6})(?!\d)", re.IGNORECASE)

# A line that starts the quoted original in a reply; everything from it on is dropped.
_QUOTE_HEADERS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*在.{0,300}写道[:：]\s*$"),
    re.compile(r"^\s*-{2,}\s*(Original Message|原始邮件|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(From|发件人)\s*[:：].+$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule above the quoted header block
]
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class Route(StrEnum):
    NEW_TICKET = "new_ticket"
    COMMENT = "comment"
    TRIAGE = "triage"
    QUARANTINE = "quarantine"


class Reason(StrEnum):
    """Why a mail needs a person (triage) or could not be taken at all (quarantine)."""

    UNKNOWN_SENDER = "unknown_sender"
    AMBIGUOUS_SENDER = "ambiguous_sender"
    NOT_A_CONTACT_OF_TICKET = "not_a_contact_of_ticket"
    UNKNOWN_TICKET = "unknown_ticket"
    TICKET_CLOSED = "ticket_closed"
    TICKET_REJECTED = "ticket_rejected"
    UNPARSEABLE = "unparseable"
    NO_SENDER = "no_sender"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class TicketRef:
    """The ticket a mail refers to, as far as routing needs it."""

    id: int
    customer_id: int
    is_open: bool = True


@dataclass(frozen=True)
class Decision:
    route: Route
    reason: Reason | None = None
    customer_id: int | None = None
    ticket_id: int | None = None


def find_ticket_number(subject: str | None) -> str | None:
    """The first ticket number in `subject`, upper-cased ("SR-2026-000123"), or None."""
    if not subject:
        return None
    match = TICKET_NUMBER.search(subject)
    return f"SR-{match.group(1)}-{match.group(2)}" if match else None


def message_ids(header: str | None) -> list[str]:
    """The message ids ("<id@host>") named in an In-Reply-To or References header, in order."""
    if not header:
        return []
    return _MESSAGE_ID.findall(header)


def normalise_address(address: str | None) -> str:
    """An e-mail address as it is compared: trimmed and lower-cased ("" when missing)."""
    return (address or "").strip().strip("<>").strip().lower()


def is_usable_address(address: str) -> bool:
    """One local part, one @, a domain with a dot: enough to find a contact and to answer."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain and not domain.startswith(".") and not domain.endswith(".")
                and " " not in address and "@" not in local)


def strip_quoted_reply(text: str) -> str:
    """The new text of a reply: the quoted original (from an "On ... wrote:" line, an
    "-----Original Message-----" rule, a "From:" header block, or "> " lines) removed, and
    trailing blank lines trimmed. A mail that is nothing but quote keeps its text."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    result = "\n".join(kept).strip()
    return result or (text or "").strip()


_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</?(p|div|br|tr|li|h[1-6]|table)\b[^>]*>", re.IGNORECASE)
_INVISIBLE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&"}


def html_to_text(html: str) -> str:
    """Readable text of an HTML-only mail: blocks become lines, tags and scripts go."""
    text = _BLOCK_END.sub("\n", _INVISIBLE.sub("", html or ""))
    text = _TAG.sub("", text)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def quarantine_reason(*, size: int, max_bytes: int, sender: str, parse_failed: bool) -> Reason | None:
    """Why a message cannot be taken (checked in this order), or None when it can."""
    if size > max_bytes:
        return Reason.TOO_LARGE
    if parse_failed:
        return Reason.UNPARSEABLE
    if not is_usable_address(normalise_address(sender)):
        return Reason.NO_SENDER
    return None


def decide(*, sender_customer_ids: Iterable[int], ticket: TicketRef | None,
           ticket_number: str | None) -> Decision:
    """Where a readable mail from a usable sender goes.

    sender_customer_ids: the customers the sender is a contact of (by e-mail address).
    ticket: the ticket the mail replies to (by the number in its subject or a known message
            id in In-Reply-To/References), if one was found.
    ticket_number: a ticket number in the subject, found or not.

    A reply from a contact of the ticket's customer is a comment on an open ticket; a new
    mail from a contact of exactly one customer is a new ticket; everything else goes to
    triage with the reason.
    """
    customers = frozenset(sender_customer_ids)
    if ticket is not None:
        if ticket.customer_id not in customers:
            return Decision(Route.TRIAGE, Reason.NOT_A_CONTACT_OF_TICKET, ticket_id=ticket.id)
        if not ticket.is_open:
            return Decision(Route.TRIAGE, Reason.TICKET_CLOSED, customer_id=ticket.customer_id, ticket_id=ticket.id)
        return Decision(Route.COMMENT, customer_id=ticket.customer_id, ticket_id=ticket.id)
    if ticket_number is not None:
        return Decision(Route.TRIAGE, Reason.UNKNOWN_TICKET,
                        customer_id=next(iter(customers)) if len(customers) == 1 else None)
    if not customers:
        return Decision(Route.TRIAGE, Reason.UNKNOWN_SENDER)
    if len(customers) > 1:
        return Decision(Route.TRIAGE, Reason.AMBIGUOUS_SENDER)
    return Decision(Route.NEW_TICKET, customer_id=next(iter(customers)))
