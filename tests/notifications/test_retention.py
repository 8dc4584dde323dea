"""Outbox retention: old sent messages go after NOTIFICATION_RETENTION_DAYS, failed ones are
kept a year as evidence, pending ones stay; by the worker's hourly job and by the CLI."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from aftersales.core.models import ScheduledJob
from aftersales.core.worker import ensure_jobs, run_due_jobs
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notifications_prune

pytestmark = pytest.mark.django_db
# The command reads the clock: the outbox is laid out back from today.
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


def message(key: str, status: str, age: timedelta, *, last_try_age: timedelta | None = None) -> Notification:
    created = NOW - age
    return Notification.objects.create(
        channel="email", recipient="lead@example.com", subject=key, dedup_key=key, status=status,
        created_at=created, next_attempt_at=NOW - (last_try_age if last_try_age is not None else age),
        sent_at=created if status == "sent" else None, attempts=1)


@pytest.fixture
def outbox():
    message("sent-old", "sent", 91 * DAY)
    message("sent-recent", "sent", 89 * DAY)
    message("failed-old", "failed", 366 * DAY)
    message("failed-200-days", "failed", 200 * DAY)
    message("failed-old-retried-last-month", "failed", 400 * DAY, last_try_age=30 * DAY)
    message("pending-old", "pending", 500 * DAY)


def remaining() -> set[str]:
    return set(Notification.objects.values_list("dedup_key", flat=True))


def test_prune_removes_old_sent_and_year_old_failed_messages_only(outbox):
    report = notifications_prune(now=NOW)
    assert (report.sent, report.failed) == (1, 1)
    assert str(report) == "removed 2 notifications (1 sent, 1 failed)"
    assert remaining() == {"sent-recent", "failed-200-days", "failed-old-retried-last-month", "pending-old"}


def test_prune_works_in_chunks_until_nothing_old_is_left():
    for n in range(7):
        message(f"sent-{n}", "sent", 100 * DAY)
    assert notifications_prune(now=NOW, chunk=3).sent == 7
    assert not Notification.objects.exists()


def test_the_retention_comes_from_the_settings(outbox, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    settings.NOTIFICATION_FAILED_RETENTION_DAYS = 100
    notifications_prune(now=NOW)
    assert remaining() == {"failed-old-retried-last-month", "pending-old"}


def test_a_dry_run_counts_and_removes_nothing(outbox):
    report = notifications_prune(now=NOW, dry_run=True)
    assert str(report) == "would remove 2 notifications (1 sent, 1 failed)"
    assert Notification.objects.count() == 6


def test_the_worker_prunes_every_hour(outbox, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    ensure_jobs(NOW)
    ScheduledJob.objects.exclude(name="notifications.prune").update(next_run_at=NOW + DAY)
    assert run_due_jobs(NOW, "worker-a") == [
        "ran notifications.prune: removed 2 notifications (1 sent, 1 failed)"]
    assert ScheduledJob.objects.get(name="notifications.prune").next_run_at == NOW + timedelta(hours=1)
    assert "sent-old" not in remaining()


def test_the_cli_prints_what_it_removed(outbox):
    out = io.StringIO()
    call_command("prune_notifications", "--days", "1", "--dry-run", stdout=out)
    assert out.getvalue().strip().startswith("would remove")
    assert Notification.objects.count() == 6
    out = io.StringIO()
    call_command("prune_notifications", "--days", "1", stdout=out)
    # Every sent message is older than a day; the failed ones of this outbox go after a year.
    assert out.getvalue().strip() == "removed 3 notifications (2 sent, 1 failed)"
    assert remaining() == {"failed-200-days", "failed-old-retried-last-month", "pending-old"}


def test_the_cli_takes_the_failed_messages_retention_too(outbox):
    out = io.StringIO()
    call_command("prune_notifications", "--failed-days", "100", stdout=out)
    assert "2 failed" in out.getvalue()


@pytest.mark.parametrize("args", [["--days", "0"], ["--failed-days", "-5"]])
def test_the_cli_refuses_a_retention_under_one_day_and_removes_nothing(outbox, args):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_notifications", *args)
    assert Notification.objects.count() == 6


def test_a_broken_setting_is_a_clear_cli_error(outbox, settings):
    settings.NOTIFICATION_RETENTION_DAYS = "90"
    with pytest.raises(CommandError, match="NOTIFICATION_RETENTION_DAYS must be a whole number"):
        call_command("prune_notifications")
    assert Notification.objects.count() == 6
