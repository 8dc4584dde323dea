"""Background work of the outbox: the every-minute delivery job, and a queued task that
delivers at once after an urgent notice commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from aftersales.core.jobs import scheduled_job
from aftersales.notifications.services import deliver_due


@scheduled_job("notifications.deliver", every=timedelta(minutes=1))
def deliver_notifications(now: datetime) -> str:
    return str(deliver_due(now=now))


@task()
def deliver_notifications_task() -> str:
    """Deliver what is due now (queued after an urgent notice commits)."""
    return str(deliver_due(now=timezone.now()))
