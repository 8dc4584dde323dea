"""Reads of service requests, always through `scoped()`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.domain import sla as clocks
from aftersales.tickets.choices import OPEN_STATUSES, Status
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent
from aftersales.tickets.services import calendar_for, policy_for


def tickets_queryset(*, user) -> QuerySet[Ticket]:
    """The tickets `user` may see, each with `next_due_at` (its nearest open due time),
    the nearest first; tickets with nothing open come last."""
    nearest = (SlaTarget.objects.filter(ticket=OuterRef("pk"), met_at__isnull=True)
               .order_by("due_at").values("due_at")[:1])
    qs = (Ticket.objects.select_related("customer", "group", "assignee")
          .annotate(next_due_at=Subquery(nearest))
          .order_by(F("next_due_at").asc(nulls_last=True), "-clock_started_at", "-id"))
    return scoped(qs, user)


def provisional_open_tickets(*, user) -> QuerySet[Ticket]:
    """Open tickets `user` may see whose due times run into a year whose holidays are not
    loaded yet (computed on plain Monday-Friday working days until it is)."""
    return scoped(Ticket.objects.filter(provisional=True, status__in=OPEN_STATUSES), user)


def ticket_detail(*, user, pk: int) -> Ticket:
    qs = tickets_queryset(user=user).prefetch_related(
        Prefetch("sla_targets", queryset=SlaTarget.objects.order_by("due_at", "id")),
        "grade_changes__actor",
        Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "id")),
        "sla_pauses",
    )
    return get_scoped_or_404(qs, user, pk=pk)


def ticket_clocks_at(*, ticket: Ticket, moment: datetime) -> clocks.TicketState:
    """The ticket's level, status and clocks as they stood at `moment`, replayed from its
    timeline (docs/decisions/0007)."""
    events = [clocks.Event(e.kind, e.at, e.data) for e in ticket.events.all()]
    return clocks.state_at(events, moment, calendar_for(ticket), policy_for(ticket))


# -- agent console --------------------------------------------------------------------------


def ticket_queue(*, user) -> QuerySet[Ticket]:
    """The open tickets `user` may see, nearest open due time first (`next_due_at`)."""
    return tickets_queryset(user=user).filter(status__in=OPEN_STATUSES)


def ticket_clocks_now(*, ticket: Ticket, now: datetime) -> list[clocks.ClockState]:
    """Each stored SLA target of `ticket` (prefetched by `ticket_detail`) at `now`: the due
    times the worker escalates on, with elapsed / remaining time and the share used."""
    pauses = [clocks.Pause(p.started_at, p.ended_at, p.reason) for p in ticket.sla_pauses.all()]
    calendar = calendar_for(ticket)
    states = []
    for target in ticket.sla_targets.all():
        clock = clocks.TargetClock(clocks.TargetKind(target.kind), target.minutes, target.business_time,
                                   target.started_at, target.due_at, target.provisional)
        states.append(clocks.clock_state(clock, now, calendar, pauses, target.met_at))
    return states


def targets_breaking(*, user, now: datetime, within: timedelta) -> QuerySet[SlaTarget]:
    """Open targets of running tickets due before `now + within`, the breached ones included,
    soonest first. Tickets waiting for the customer are left out: their clocks stand still."""
    qs = (SlaTarget.objects.filter(met_at__isnull=True, due_at__lte=now + within,
                                   ticket__status__in=[s for s in OPEN_STATUSES if s != Status.WAITING_CUSTOMER])
          .select_related("ticket__customer", "ticket__assignee", "ticket__group")
          .order_by("due_at", "id"))
    return scoped(qs, user)


def my_open_tickets(*, user) -> QuerySet[Ticket]:
    return ticket_queue(user=user).filter(assignee=user)


def console_summary(*, user, now: datetime, within: timedelta) -> dict:
    """The home dashboard's cards for agents: their open tickets and what breaks soon."""
    mine = my_open_tickets(user=user)
    breaking = targets_breaking(user=user, now=now, within=within)
    return {"my_count": mine.count(), "mine": list(mine[:5]), "breaking_count": breaking.count(),
            "breaking": list(breaking[:5]), "hours": int(within.total_seconds() // 3600), "now": now}
