"""Reads of service requests, always through `scoped()`."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.domain import sla as clocks
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
