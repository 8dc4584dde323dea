"""Recompute the SLA due times of open tickets after a calendar change.

When an administrator adds, edits or deletes a company day off or extra working day, loads a
year's published schedule or changes a service calendar's hours, the calendars app sends
`aftersales.calendars.signals.calendar_changed` after the commit; the receiver here queues
the task `tickets.tasks.recompute_open_tickets_task`, which calls `recompute_open_tickets`.
So calendars never imports tickets.

The rule is the re-grade's (decision 0007) with the level unchanged: every open target of an
open ticket is recomputed from the same clock start under the policy the ticket was created
with, pauses respected; met targets keep their due time; unfired warnings move with their
target, fired ones stay fired. A ticket's `provisional` flag is cleared once none of its open
due times runs into a year whose schedule is not loaded. A moved due time leaves a
"deadline_moved" event on the ticket's timeline (docs/decisions/0012).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db import connection, transaction
from django.db.models import Prefetch
from django.dispatch import receiver

from aftersales.calendars.signals import calendar_changed
from aftersales.core.audit import audit_record
from aftersales.core.models import AuditAction
from aftersales.domain import sla as clocks
from aftersales.domain.calendar import BusinessCalendar
from aftersales.tickets.choices import OPEN_STATUSES, EventKind
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent
from aftersales.tickets.services import calendar_for, paused_seconds, policy_for

CHUNK_SIZE = 200
# What a recompute may change on an open target, compared before and after and written back.
MOVED_FIELDS = ("started_at", "due_at", "provisional", "paused_seconds",
                "warn_half_at", "warn_three_quarters_at", "warning_due_at")


def _moved_values(target: SlaTarget) -> tuple:
    return tuple(getattr(target, name) for name in MOVED_FIELDS)


@dataclass
class RecomputeResult:
    """What a recompute did: open tickets looked at, tickets whose due times moved, targets
    moved, and tickets whose `provisional` flag changed (cleared or set)."""

    tickets: int = 0
    tickets_moved: int = 0
    targets_moved: int = 0
    provisional_cleared: int = 0
    provisional_set: int = 0
    calendars: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (f"{self.tickets} open service requests checked, due times moved on {self.tickets_moved} "
                f"({self.targets_moved} targets), provisional cleared on {self.provisional_cleared}, "
                f"set on {self.provisional_set}")


def _chunks(iterator: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(iterator, size)):
        yield chunk


def open_tickets(calendar_code: str | None = None):
    qs = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if calendar_code is not None:
        qs = qs.filter(service_calendar=calendar_code)
    return qs


def recompute_open_tickets(calendar_code: str | None = None, *, now: datetime, chunk_size: int = CHUNK_SIZE,
                           progress: Callable[[int, int], None] | None = None) -> RecomputeResult:
    """Recompute the open targets of the open tickets on `calendar_code` (None: every
    calendar) against the calendar tables as they are now. Works in chunks of `chunk_size`
    tickets, each in its own transaction with the tickets locked, so a long run neither holds
    every row nor loses work done when interrupted (a rerun finds nothing left to move).
    `progress(done, total)` is called after each chunk. Idempotent."""
    result = RecomputeResult()
    ids = open_tickets(calendar_code).order_by("pk").values_list("pk", flat=True)
    total = ids.count()
    calendars: dict[str, BusinessCalendar] = {}
    done = 0
    for chunk in _chunks(ids.iterator(chunk_size=chunk_size), chunk_size):
        with transaction.atomic():
            # The tickets and their targets are locked (PostgreSQL), so a re-grade or pause
            # running at the same time waits for this chunk, or this chunk reads its result.
            tickets = (open_tickets(calendar_code).filter(pk__in=chunk).order_by("pk")
                       .select_for_update(of=("self",))
                       .prefetch_related(Prefetch("sla_targets",
                                                  queryset=SlaTarget.objects.order_by("id").select_for_update()),
                                         "sla_pauses"))
            changes = _Changes()
            for ticket in tickets:
                if ticket.service_calendar not in calendars:
                    calendars[ticket.service_calendar] = calendar_for(ticket)
                _recompute_ticket(ticket, calendars[ticket.service_calendar], now, changes, result)
            changes.write()
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    result.calendars = set(calendars)
    return result


@dataclass
class _Changes:
    targets: list[SlaTarget] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)
    audits: list[tuple[Ticket, dict, dict]] = field(default_factory=list)

    def write(self) -> None:
        _update_rows(SlaTarget, self.targets, list(MOVED_FIELDS))
        _update_rows(Ticket, self.tickets, ["provisional", "updated_at"])
        if self.events:
            TicketEvent.objects.bulk_create(self.events)
        for ticket, before, after in self.audits:
            audit_record(actor=None, action=AuditAction.UPDATE, instance=ticket, before=before, after=after)


def _update_rows(model, rows: list, fields: list[str]) -> None:
    """UPDATE `fields` of `rows` by primary key in one executemany. (`bulk_update` builds a
    CASE WHEN per field and row, which took most of a recompute's time: 200 tickets' rows
    cost seconds to compile.)"""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = (f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names from the model
           + ", ".join(f"{quote(field.column)} = %s" for field in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    params = [[field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns] + [row.pk]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _recompute_ticket(ticket: Ticket, calendar: BusinessCalendar, now: datetime, changes: _Changes,
                      result: RecomputeResult) -> None:
    result.tickets += 1
    all_pauses = list(ticket.sla_pauses.all())
    pauses = [clocks.Pause(p.started_at, p.ended_at, p.reason) for p in all_pauses if p.ended_at is not None]
    running_pause = any(p.ended_at is None for p in all_pauses)
    computed = {c.kind.value: c for c in clocks.compute_targets(
        policy_for(ticket), ticket.level, ticket.clock_started_at, calendar, pauses)}
    moves = []
    open_provisional = False
    for target in ticket.sla_targets.all():
        clock = computed.get(target.kind)
        if target.met_at is not None:
            continue
        if clock is None:
            # Only a re-grade adds or removes kinds; a calendar change moves what is there.
            open_provisional = open_provisional or target.provisional
            continue
        open_provisional = open_provisional or clock.provisional
        new_paused = paused_seconds(calendar, clock, pauses)
        before = _moved_values(target)
        old_due = target.due_at
        target.started_at, target.due_at = clock.started_at, clock.due_at
        target.provisional, target.paused_seconds = clock.provisional, new_paused
        # Pending warnings move with the target; fired ones stay fired; a stopped clock has
        # none pending (decision 0007).
        target.set_warnings(clocks.threshold_instants(clock, calendar, pauses), running=not running_pause)
        if before == _moved_values(target):
            continue
        if old_due != clock.due_at:
            moves.append({"kind": target.kind, "from": old_due.astimezone(calendar.tz).isoformat(),
                          "to": clock.due_at.isoformat()})
        changes.targets.append(target)
    if open_provisional != ticket.provisional:
        if ticket.provisional:
            result.provisional_cleared += 1
        else:
            result.provisional_set += 1
        ticket.provisional = open_provisional
        ticket.updated_at = now
        changes.tickets.append(ticket)
    if moves:
        result.tickets_moved += 1
        result.targets_moved += len(moves)
        changes.events.append(TicketEvent(ticket=ticket, kind=EventKind.DEADLINE_MOVED, at=now,
                                          data={"moves": moves, "provisional": open_provisional}))
        changes.audits.append((ticket, {"due_at": {m["kind"]: m["from"] for m in moves}},
                               {"due_at": {m["kind"]: m["to"] for m in moves}, "provisional": open_provisional}))


@receiver(calendar_changed, dispatch_uid="tickets.recompute_on_calendar_change")
def queue_recompute(sender, calendar_codes=None, **kwargs) -> None:
    """Queue the recompute of the calendars that changed (None: all of them). Sent by the
    calendars app after its transaction commits."""
    from aftersales.tickets.tasks import recompute_open_tickets_task

    for code in sorted(calendar_codes) if calendar_codes else [None]:
        recompute_open_tickets_task.enqueue(code)
