"""Firing the 50 / 75 / 100 % SLA warnings: the escalation rows whose due time has passed.

For each due row, in ONE transaction: the row is claimed (`fired_at` set), the messages to
the assignee, the group lead, the service managers (e-mail) and every matching active
webhook endpoint are written to the outbox, and an "escalated" event goes on the ticket's
timeline. So a warning is decided, recorded and queued together, or not at all.

Once and only once per (target, threshold), with any number of workers: on PostgreSQL the
row is locked with SELECT ... FOR UPDATE SKIP LOCKED (a second worker skips it, and after
the commit no longer finds it unfired); on SQLite a conditional UPDATE ... WHERE fired_at
IS NULL claims it under the single writer lock. A worker killed mid-way rolls back, and the
row is fired by the next run; the outbox's dedup keys (`esc:<escalation id>:<recipient>`)
make a repeat add nothing. Decision 0009.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.domain import notify
from aftersales.notifications.choices import NotificationChannel
from aftersales.notifications.models import WebhookEndpoint
from aftersales.notifications.services import Message, notification_enqueue
from aftersales.tickets.choices import EventKind, Status, TargetKind, Threshold
from aftersales.tickets.models import Escalation, Ticket, TicketEvent

# Due times in messages are read where the customers and engineers are.
MESSAGE_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# Warnings fire for tickets being worked on. Waiting for the customer stops the clocks (the
# rows are removed while paused); resolved and closed tickets warn nobody.
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


def escalation_texts(row: Escalation, now: datetime) -> dict[str, str]:
    """Subject, plain text and markdown of the warning for `row` as read at `now`."""
    ticket, target = row.ticket, row.target
    due_local = target.due_at.astimezone(MESSAGE_TIME_ZONE)
    left = notify.minutes_left(target.due_at, now)
    facts = {
        "number": ticket.number, "subject": ticket.subject, "customer": str(ticket.customer),
        "level": ticket.level, "target": str(TargetKind(target.kind).label),
        "threshold": str(Threshold(row.threshold).label),
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


def _messages(row: Escalation, now: datetime, people: list, endpoints: list[WebhookEndpoint]) -> list[Message]:
    ticket = row.ticket
    texts = escalation_texts(row, now)
    messages = [Message(channel=NotificationChannel.EMAIL, recipient=person.email, subject=texts["subject"],
                        body=texts["text"], dedup_key=f"esc:{row.pk}:{person.email.strip().lower()}", ticket=ticket)
                for person in people]
    phones = [p.phone for p in (ticket.assignee, ticket.group.lead if ticket.group_id else None) if p and p.phone]
    data = {"ticket": ticket.number, "ticket_id": ticket.pk, "customer": texts["customer"], "level": ticket.level,
            "target": row.target.kind, "threshold": row.threshold, "due_at": row.target.due_at.isoformat(),
            "minutes_left": notify.minutes_left(row.target.due_at, now), "url": texts["url"]}
    for endpoint in endpoints:
        if not notify.endpoint_matches(levels=endpoint.level_list, group_id=endpoint.group_id,
                                       ticket_level=ticket.level, ticket_group_id=ticket.group_id):
            continue
        payload = notify.webhook_payload(endpoint.kind, event="sla.escalation", title=texts["subject"],
                                         markdown=texts["markdown"], text=texts["text"], data=data,
                                         at_mobiles=[*phones, *endpoint.mobile_list])
        messages.append(Message(channel=NotificationChannel.WEBHOOK, recipient=endpoint.name, endpoint=endpoint,
                                subject=texts["subject"], body=texts["text"], payload=payload,
                                dedup_key=f"esc:{row.pk}:webhook:{endpoint.pk}", ticket=ticket))
    return messages


def _claim(pk: int, now: datetime) -> bool:
    """Set fired_at on the row if it is still due, unfired and its ticket still warns."""
    due = Escalation.objects.filter(pk=pk, fired_at__isnull=True, due_at__lte=now,
                                    ticket__status__in=FIRING_STATUSES, target__met_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        if due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True).first() is None:
            return False
        return bool(Escalation.objects.filter(pk=pk).update(fired_at=now))
    return bool(due.update(fired_at=now))


def fire_escalations(*, now: datetime, limit: int = 500) -> int:
    """Fire the due warnings (at most `limit` per call); returns how many fired."""
    due = (Escalation.objects.filter(fired_at__isnull=True, due_at__lte=now, ticket__status__in=FIRING_STATUSES,
                                     target__met_at__isnull=True)
           .order_by("due_at", "id").values_list("pk", flat=True)[:limit])
    pending = list(due)
    if not pending:
        return 0
    managers = list(get_user_model().objects.filter(role=Role.SERVICE_MANAGER, is_active=True)
                    .exclude(email="").order_by("pk"))
    endpoints = list(WebhookEndpoint.objects.filter(active=True).order_by("pk"))
    fired = 0
    for pk in pending:
        with transaction.atomic():
            if not _claim(pk, now):
                continue
            row = (Escalation.objects.select_related("target", "ticket__customer", "ticket__assignee",
                                                     "ticket__group__lead").get(pk=pk))
            people = _recipients(row.ticket, managers)
            messages = _messages(row, now, people, endpoints)
            notification_enqueue(messages=messages, now=now)
            TicketEvent.objects.create(
                ticket=row.ticket, kind=EventKind.ESCALATED, at=now, actor=None,
                data={"target": row.target.kind, "threshold": row.threshold, "due_at": row.target.due_at.isoformat(),
                      "warning_due_at": row.due_at.isoformat(), "recipients": [m.recipient for m in messages]})
            fired += 1
    return fired
