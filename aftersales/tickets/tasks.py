"""Background work of the tickets app: re-grading faults whose outage goes on, and firing
the 50 / 75 / 100 % SLA warnings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from aftersales.core.jobs import scheduled_job
from aftersales.tickets.escalations import fire_escalations
from aftersales.tickets.services import regrade_running_outages


@scheduled_job("tickets.regrade_running_outages", every=timedelta(minutes=1))
def regrade_running_outages_job(now: datetime) -> str:
    return f"{regrade_running_outages(now=now)} service requests re-graded"


@scheduled_job("tickets.fire_escalations", every=timedelta(minutes=1))
def fire_escalations_job(now: datetime) -> str:
    return f"{fire_escalations(now=now)} SLA warnings fired"


@task()
def recompute_open_tickets_task(calendar_code: str | None = None) -> str:
    """Queued by a calendar change (tickets.recompute.queue_recompute)."""
    from aftersales.tickets.recompute import recompute_open_tickets

    return recompute_open_tickets(calendar_code, now=timezone.now()).summary()
