"""Reads of the customer portal: a customer user's own service requests, always through
`scoped()` (another customer's request is simply absent, so pages answer 404)."""

from __future__ import annotations

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from aftersales.assets.models import Equipment
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers.models import Site
from aftersales.tickets.choices import OPEN_STATUSES
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent


def customer_tickets(*, user, q: str = "", status: str = "") -> QuerySet[Ticket]:
    """The requests of the user's organisation, open ones first, the nearest promise first;
    each with `next_due_at` and `next_due_kind` (its nearest unmet target). `q` searches
    number, subject and the unit's serial number."""
    nearest = SlaTarget.objects.filter(ticket=OuterRef("pk"), met_at__isnull=True).order_by("due_at", "id")
    qs = (Ticket.objects.select_related("site", "equipment__product")
          .annotate(next_due_at=Subquery(nearest.values("due_at")[:1]),
                    next_due_kind=Subquery(nearest.values("kind")[:1]),
                    closed_rank=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1),
                                     output_field=IntegerField()))
          .order_by("closed_rank", F("next_due_at").asc(nulls_last=True), "-clock_started_at", "-id"))
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(subject__icontains=q) | Q(equipment__serial__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return scoped(qs, user)


def customer_ticket(*, user, pk: int) -> Ticket:
    """One request of the user's organisation with its targets and timeline (404 otherwise)."""
    qs = (Ticket.objects.select_related("site", "equipment__product", "customer")
          .prefetch_related(Prefetch("sla_targets", queryset=SlaTarget.objects.order_by("due_at", "id")),
                            Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "id"))))
    return get_scoped_or_404(qs, user, pk=pk)


def customer_sites(*, user) -> QuerySet[Site]:
    return scoped(Site.objects.order_by("name"), user)


def customer_equipment(*, user) -> QuerySet[Equipment]:
    return scoped(Equipment.objects.select_related("product", "site").order_by("site__name", "product__model", "serial"), user)


def labelled_equipment(*, user, pk: int) -> Equipment:
    """The unit a label names, if the user may see it (404 otherwise)."""
    return get_scoped_or_404(Equipment.objects.select_related("product", "site", "customer"), user, pk=pk)
