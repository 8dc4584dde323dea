"""Background work of the tickets app: re-grading faults whose outage goes on, and firing
the 50 / 75 / 100 % SLA warnings."""

from __future__ import annotations

from datetime import datetime, timedelta

from aftersales.core.jobs import scheduled_job
from aftersales.tickets.escalations import fire_escalations
from aftersales.tickets.services import regrade_running_outages


@scheduled_job("tickets.regrade_running_outages", every=timedelta(minutes=1))
def regrade_running_outages_job(now: datetime) -> str:
    return f"{regrade_running_outages(now=now)} service requests re-graded"


@scheduled_job("tickets.fire_escalations", every=timedelta(minutes=1))
def fire_escalations_job(now: datetime) -> str:
    return f"{fire_escalations(now=now)} SLA warnings fired"
