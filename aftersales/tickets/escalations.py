"""Firing the 50 / 75 / 100 % SLA warnings: the targets whose next warning is due.

Each target keeps its warning instants, the last percentage fired (`warned_percent`) and
when the next warning is due (`warning_due_at`, None when nothing is pending). For each due
warning, in ONE transaction: the target's marker moves on (`warned_percent` to the
warning's percentage, `warning_due_at` to the next instant), the messages to the assignee,
the group lead, the service managers (e-mail) and every matching active webhook endpoint
are written to the outbox, and an "escalated" event goes on the ticket's timeline. So a
warning is decided, recorded and queued together, or not at all. A late worker fires the
warnings a target has passed one by one, in order.

Once and only once per (target, threshold), with any number of workers: the marker moves
by a compare-and-set, `UPDATE ... SET warned_percent = <p> WHERE id = ? AND warned_percent
= <previous>`, which only one worker can win (on PostgreSQL the row is first locked with
SELECT ... FOR UPDATE SKIP LOCKED, so a second worker skips it instead of waiting; SQLite's
single writer lock serialises the updates). A worker killed mid-way rolls back, and the
warning is fired by the next run; the outbox's dedup keys
(`esc:<target id>:<percentage>:<recipient>`) make a repeat add nothing. Decision 0016.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.domain import notify, sla
from aftersales.notifications.choices import NotificationChannel
from aftersales.notifications.models import WebhookEndpoint
from aftersales.notifications.services import Message, notification_enqueue
from aftersales.tickets.choices import EventKind, Status, TargetKind, Threshold
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent

# Due times in messages are read where the customers and engineers are.
MESSAGE_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# Warnings fire for tickets being worked on. Waiting for the customer stops the clocks (no
# warning is pending while paused); resolved and closed tickets warn nobody.
FIRING_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)


def ticket_url(ticket: Ticket) -> str:
    try:
        path = reverse("tickets:ticket_detail", args=[ticket.pk])
    except NoReverseMatch:  # the ticket pages are not installed
        path = f"/tickets/{ticket.pk}/"
    return f"{settings.SITE_URL}{path}"


def _recipients(ticket: Ticket, managers: list) -> list:
    """The assignee, the group lead and the service managers with an e-mail, each once."""
    people = [ticket.assignee, ticket.group.lead if ticket.group_id else None, *managers]
    seen, result = set(), []
    for person in people:
        if person is None or not person.is_active or not person.email:
            continue
        key = person.email.strip().lower()
        if key not in seen:
            seen.add(key)
            result.append(person)
    return result


@dataclass(frozen=True)
class DueWarning:
    """One warning of one target: its percentage and the instant it was due."""

    target: SlaTarget
    percent: int
    due_at: datetime

    @property
    def ticket(self) -> Ticket:
        return self.target.ticket


def escalation_texts(warning: DueWarning, now: datetime) -> dict[str, str]:
    """Subject, plain text and markdown of `warning` as read at `now`."""
    ticket, target = warning.ticket, warning.target
    due_local = target.due_at.astimezone(MESSAGE_TIME_ZONE)
    left = notify.minutes_left(target.due_at, now)
    facts = {
        "number": ticket.number, "subject": ticket.subject, "customer": str(ticket.customer),
        "level": ticket.level, "target": str(TargetKind(target.kind).label),
        "threshold": str(Threshold(warning.percent).label),
        "due": f"{due_local:%Y-%m-%d %H:%M} (Asia/Shanghai)",
        "remaining": (_("%(time)s left") if left >= 0 else _("overdue by %(time)s")) % {
            "time": notify.duration_text(left)},
        "url": ticket_url(ticket),
    }
    subject = _("%(number)s %(level)s: %(target)s %(remaining)s (%(customer)s)") % facts
    lines = [
        (_("Service request"), f"{facts['number']} {facts['subject']}"),
        (_("Customer"), facts["customer"]),
        (_("Level"), facts["level"]),
        (_("Target"), facts["target"]),
        (_("Warning"), facts["threshold"]),
        (_("Due at"), facts["due"]),
        (_("Time"), facts["remaining"]),
    ]
    text = "\n".join(f"{label}: {value}" for label, value in lines) + f"\n\n{facts['url']}\n"
    markdown = "\n".join(f"> **{label}**: {value}" for label, value in lines[1:])
    markdown = f"**[{facts['number']}]({facts['url']})** {facts['subject']}\n{markdown}\n\n[{_('Open')}]({facts['url']})"
    return {**facts, "subject": subject, "text": text, "markdown": markdown}


def _messages(warning: DueWarning, now: datetime, people: list, endpoints: list[WebhookEndpoint]) -> list[Message]:
    ticket, target = warning.ticket, warning.target
    texts = escalation_texts(warning, now)
    key = f"esc:{target.pk}:{warning.percent}"
    messages = [Message(channel=NotificationChannel.EMAIL, recipient=person.email, subject=texts["subject"],
                        body=texts["text"], dedup_key=f"{key}:{person.email.strip().lower()}", ticket=ticket)
                for person in people]
    phones = [p.phone for p in (ticket.assignee, ticket.group.lead if ticket.group_id else None) if p and p.phone]
    data = {"ticket": ticket.number, "ticket_id": ticket.pk, "customer": texts["customer"], "level": ticket.level,
            "target": target.kind, "threshold": warning.percent, "due_at": target.due_at.isoformat(),
            "minutes_left": notify.minutes_left(target.due_at, now), "url": texts["url"]}
    for endpoint in endpoints:
        if not notify.endpoint_matches(levels=endpoint.level_list, group_id=endpoint.group_id,
                                       ticket_level=ticket.level, ticket_group_id=ticket.group_id):
            continue
        payload = notify.webhook_payload(endpoint.kind, event="sla.escalation", title=texts["subject"],
                                         markdown=texts["markdown"], text=texts["text"], data=data,
                                         at_mobiles=[*phones, *endpoint.mobile_list])
        messages.append(Message(channel=NotificationChannel.WEBHOOK, recipient=endpoint.name, endpoint=endpoint,
                                subject=texts["subject"], body=texts["text"], payload=payload,
                                dedup_key=f"{key}:webhook:{endpoint.pk}", ticket=ticket))
    return messages


def _due(now: datetime):
    """Targets with a warning due at `now` whose ticket still warns."""
    return SlaTarget.objects.filter(warning_due_at__lte=now, met_at__isnull=True, ticket__status__in=FIRING_STATUSES)


def _claim(pk: int, now: datetime) -> DueWarning | None:
    """Claim the next due warning of target `pk`: move its marker on, if no one else has.
    Returns the warning claimed (with the target, ticket and people loaded), or None."""
    due = _due(now).filter(pk=pk).select_related("ticket__customer", "ticket__assignee", "ticket__group__lead")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    target = due.first()
    if target is None:
        return None
    claimed = target.next_warning()
    if claimed is None:  # nothing pending after all (a marker moved by hand)
        return None
    percent, due_at = claimed
    following = sla.next_warning(target.warning_instants(), percent)
    next_due = following[1] if following else None
    moved = SlaTarget.objects.filter(pk=pk, warned_percent=target.warned_percent).update(
        warned_percent=percent, warning_due_at=next_due)
    if not moved:  # another worker fired it first
        return None
    target.warned_percent, target.warning_due_at = percent, next_due
    return DueWarning(target=target, percent=percent, due_at=due_at)


def fire_escalations(*, now: datetime, limit: int = 500) -> int:
    """Fire the due warnings of at most `limit` targets per call, each target's passed
    warnings in order; returns how many warnings fired."""
    pending = list(_due(now).order_by("warning_due_at", "id").values_list("pk", flat=True)[:limit])
    if not pending:
        return 0
    managers = list(get_user_model().objects.filter(role=Role.SERVICE_MANAGER, is_active=True)
                    .exclude(email="").order_by("pk"))
    endpoints = list(WebhookEndpoint.objects.filter(active=True).order_by("pk"))
    fired = 0
    for pk in pending:
        # At most one warning per threshold: a late worker fires the ones passed in order.
        for _threshold in sla.ESCALATION_THRESHOLDS:
            with transaction.atomic():
                warning = _claim(pk, now)
                if warning is None:
                    break
                people = _recipients(warning.ticket, managers)
                messages = _messages(warning, now, people, endpoints)
                notification_enqueue(messages=messages, now=now)
                TicketEvent.objects.create(
                    ticket=warning.ticket, kind=EventKind.ESCALATED, at=now, actor=None,
                    data={"target": warning.target.kind, "threshold": warning.percent,
                          "due_at": warning.target.due_at.isoformat(), "warning_due_at": warning.due_at.isoformat(),
                          "recipients": [m.recipient for m in messages]})
                fired += 1
            if warning.target.warning_due_at is None or warning.target.warning_due_at > now:
                break
    return fired
