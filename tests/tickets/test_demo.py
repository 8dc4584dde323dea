"""Demo service requests seeded by `aftersales seed_demo` (aftersales/tickets/demo.py)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from aftersales.customers.choices import Tier
from aftersales.customers.models import Customer
from aftersales.notifications.choices import NotificationStatus
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import OPEN_STATUSES, Category, Channel, EventKind, Status
from aftersales.tickets.demo import HOTLINE, plan_tickets
from aftersales.tickets.models import (
    GradeChange,
    RoutingRule,
    ServiceGroup,
    SlaPause,
    SlaTarget,
    Ticket,
)


def seed(customers: int = 3) -> str:
    out = io.StringIO()
    call_command("seed_demo", customers=customers, force=True, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_tickets():
    first = seed()
    tickets = Ticket.objects.count()
    rows = (ServiceGroup.objects.count(), RoutingRule.objects.count(), GradeChange.objects.count())

    second = seed()

    assert tickets > 0 and "tickets:" in first
    assert Ticket.objects.count() == tickets
    assert (ServiceGroup.objects.count(), RoutingRule.objects.count(), GradeChange.objects.count()) == rows
    assert "nothing new" in second


@pytest.mark.django_db
def test_open_tickets_have_due_times_ahead_and_breached_and_some_wait_for_the_customer():
    seed()
    now = timezone.now()
    open_targets = SlaTarget.objects.filter(ticket__status__in=OPEN_STATUSES, met_at__isnull=True)

    assert open_targets.filter(due_at__gt=now).exists(), "nothing is due in the future"
    assert open_targets.filter(due_at__lt=now).exists(), "nothing open is breached"
    waiting = Ticket.objects.filter(status=Status.WAITING_CUSTOMER)
    assert waiting.exists()
    assert SlaPause.objects.filter(ticket__in=waiting, ended_at__isnull=True).count() == waiting.count()


@pytest.mark.django_db
def test_closed_tickets_kept_their_history_and_warn_nobody():
    seed()
    closed = Ticket.objects.filter(status=Status.CLOSED)
    assert closed.count() > Ticket.objects.filter(status__in=OPEN_STATUSES).count()
    # Every promise of a closed ticket was met (some late), so no warning is pending.
    assert not SlaTarget.objects.filter(ticket__in=closed, met_at__isnull=True).exists()
    assert SlaTarget.objects.filter(ticket__in=closed, met_at__lte=F("due_at")).exists()
    assert not SlaTarget.objects.filter(ticket__in=closed, warning_due_at__isnull=False).exists()
    # The vice-president was told about L1/L2 back then: nothing old is waiting to be mailed now.
    notices = Notification.objects.filter(dedup_key__startswith="vp:")
    assert notices.exists()
    assert not notices.filter(status=NotificationStatus.PENDING).exists()
    assert not notices.filter(sent_at__gt=timezone.now() - timezone.timedelta(minutes=30),
                              ticket__status=Status.CLOSED).exists()
    ticket = closed.first()
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.CREATED and kinds[-1] == EventKind.STATUS_CHANGED
    times = list(ticket.events.values_list("at", flat=True))
    assert times == sorted(times)
    assert ticket.clock_started_at < timezone.now() - timezone.timedelta(days=2)
    assert ticket.group is not None and ticket.assignee is not None and ticket.number.startswith("SR-")


@pytest.mark.django_db
def test_customer1_sees_the_tickets_of_their_own_customer_only():
    seed()
    User = get_user_model()
    first, second = User.objects.get(username="customer1"), User.objects.get(username="customer2")
    own = Ticket.objects.filter(customer=first.customer)
    other = Ticket.objects.filter(customer=second.customer).first()
    assert own.exists() and other is not None

    client = Client()
    client.login(username="customer1", password="demo-customer1-2026")
    listed = client.get("/api/v1/tickets").json()
    assert {item["id"] for item in listed["items"]} == set(own.values_list("id", flat=True))
    assert client.get(f"/api/v1/tickets/{own.first().pk}").status_code == 200
    assert client.get(f"/api/v1/tickets/{other.pk}").status_code == 404


@pytest.mark.django_db
def test_the_hotline_and_a_service_point_per_region_have_leads():
    seed()
    hotline = ServiceGroup.objects.get(name=HOTLINE)
    assert hotline.lead is not None
    assert ServiceGroup.objects.filter(lead__isnull=True).count() == 0
    assert ServiceGroup.objects.count() >= 12
    # Complaints go to the hotline whatever the region.
    assert set(Ticket.objects.filter(category=Category.COMPLAINT).values_list("group__name", flat=True)) <= {HOTLINE}


def test_the_full_demo_plans_about_300_tickets_of_every_channel_and_category():
    """The plan of the default 50 customers (no database: planning only)."""
    customers = []
    for number in range(1, 51):
        customer = Customer(code=f"KH{number:04d}", tier=Tier.KEY if (number - 1) % 5 == 0 else Tier.NORMAL)
        customer.pk = number
        customers.append(customer)
    now = timezone.now()

    plans = plan_tickets(customers, {}, {}, now)

    assert 250 <= len(plans) <= 350
    assert {p.channel for p in plans} == set(Channel.values)
    assert {p.category for p in plans} == set(Category.values)
    open_plans = [p for p in plans if p.outcome not in ("closed", "breached")]
    assert 20 <= len(open_plans) <= 30
    assert {p.outcome for p in open_plans} == {"due soon", "breached open", "paused"}
    assert all(now - timezone.timedelta(days=61) < p.created_at < now for p in plans)
    assert {p.number for p in plans if p.channel == Channel.PORTAL} <= {1, 2}
    # Deterministic: the same plan again.
    again = plan_tickets(customers, {}, {}, now)
    assert [(p.subject, p.created_at, p.outcome) for p in again] == [(p.subject, p.created_at, p.outcome) for p in plans]
