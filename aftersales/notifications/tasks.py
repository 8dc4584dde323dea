"""Background work of the outbox: the every-minute delivery job, a queued task that
delivers at once after an urgent notice commits, and the hourly retention job that removes
old sent and failed messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from aftersales.core.jobs import scheduled_job
from aftersales.notifications.services import deliver_due, notifications_prune


@scheduled_job("notifications.deliver", every=timedelta(minutes=1))
def deliver_notifications(now: datetime) -> str:
    return str(deliver_due(now=now))


@scheduled_job("notifications.prune", every=timedelta(hours=1))
def prune_notifications(now: datetime) -> str:
    """Hourly, so each run removes about an hour's worth of old rows (in chunks)."""
    return str(notifications_prune(now=now))


@task()
def deliver_notifications_task() -> str:
    """Deliver what is due now (queued after an urgent notice commits)."""
    return str(deliver_due(now=timezone.now()))
