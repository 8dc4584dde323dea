"""Running scheduled jobs and queued background tasks, safely from any number of workers.

Each due ScheduledJob row is claimed in its own short transaction: the row is locked
(SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the IMMEDIATE transaction
already holds the single write lock), `next_run_at` moves one interval forward and the
transaction commits before the job runs. A second worker then finds the row not due, so
a job runs once per interval however many workers there are. A worker killed while a job
runs loses that run; the jobs are idempotent by unique keys, so the next run catches up.
"""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from aftersales.core.jobs import Job, registered_jobs
from aftersales.core.models import ScheduledJob

logger = logging.getLogger(__name__)


def ensure_jobs(now: datetime) -> list[ScheduledJob]:
    """Create a ScheduledJob row, due at `now`, for every registered job that has none,
    and keep the stored interval equal to the registered one."""
    rows = []
    for job in registered_jobs().values():
        row, created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"interval_seconds": job.interval_seconds, "next_run_at": now},
        )
        if not created and row.interval_seconds != job.interval_seconds:
            # A shorter interval takes effect now rather than after the old, longer wait.
            row.next_run_at = min(row.next_run_at, now + job.every)
            row.interval_seconds = job.interval_seconds
            ScheduledJob.objects.filter(pk=row.pk).update(
                interval_seconds=row.interval_seconds, next_run_at=row.next_run_at)
        rows.append(row)
    return rows


def _claim(name: str, now: datetime, worker_id: str) -> ScheduledJob | None:
    """Take the job `name` if it is still due at `now`; None if another worker has it."""
    with transaction.atomic():
        due = ScheduledJob.objects.filter(name=name, next_run_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        row = due.first()
        if row is None:
            return None
        row.next_run_at = now + timedelta(seconds=row.interval_seconds)
        row.last_started_at = now
        row.last_worker = worker_id[:100]
        row.save(update_fields=["next_run_at", "last_started_at", "last_worker"])
    return row


def _run(job: Job, row: ScheduledJob, now: datetime) -> str:
    try:
        summary = str(job.function(now))
    except Exception as exc:
        logger.exception("Scheduled job %s failed", job.name)
        ScheduledJob.objects.filter(pk=row.pk).update(
            last_finished_at=timezone.now(), last_error="".join(traceback.format_exception(exc))[-10000:])
        return f"failed {job.name}: {exc.__class__.__name__}: {exc}"
    ScheduledJob.objects.filter(pk=row.pk).update(
        last_finished_at=timezone.now(), last_result=summary, last_error="")
    return f"ran {job.name}: {summary}"


def run_due_jobs(now: datetime, worker_id: str) -> list[str]:
    """Run every registered job that is due at `now` and that this worker manages to claim.

    Returns one progress line per job run ("ran warranty_notices: 12 notices", or "failed
    ...: error"); a failing job is recorded in `last_error` and the others still run.
    """
    jobs = registered_jobs()
    due_names = list(
        ScheduledJob.objects.filter(next_run_at__lte=now, name__in=list(jobs))
        .order_by("next_run_at", "name").values_list("name", flat=True)
    )
    lines = []
    for name in due_names:
        try:
            row = _claim(name, now, worker_id)
        except OperationalError as exc:
            # SQLite busy beyond its timeout: another worker holds the write lock; try next pass.
            logger.warning("Could not claim scheduled job %s: %s", name, exc)
            continue
        if row is not None:
            lines.append(_run(jobs[name], row, now))
    return lines


def run_queued_tasks(worker_id: str, backend_name: str = "default") -> int:
    """Run every django-tasks task queued in the database backend now, then return how many ran.

    Reuses django_tasks_db's claim (its `ready()`/`get_locked()` queries in an exclusive
    transaction) and its Worker.run_task bookkeeping; nothing happens for other backends.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_backends
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    if not isinstance(task_backends[backend_name], DatabaseBackend):
        return 0
    runner = Worker(queue_names=["*"], interval=0, batch=True, backend_name=backend_name, startup_delay=False,
                    max_tasks=None, worker_id=worker_id[:64], excluded_queue_names=[])
    count = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=backend_name)
        try:
            with exclusive_transaction(ready.db):
                result = ready.get_locked()
                if result is not None:
                    result.claim(runner.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return count
            raise
        if result is None:
            return count
        runner.run_task(result)
        count += 1
