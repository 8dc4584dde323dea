"""The worker runs each due scheduled job once per interval, records results and errors,
and runs queued background tasks."""

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django_tasks import task

from aftersales.core import jobs
from aftersales.core.jobs import scheduled_job
from aftersales.core.models import ScheduledJob
from aftersales.core.worker import ensure_jobs, run_due_jobs, run_queued_tasks

NOW = datetime(2025, 6, 1, 1, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test; the app's own jobs are left out."""
    fresh: dict = {}
    monkeypatch.setattr(jobs, "_registry", fresh)
    monkeypatch.setattr(jobs, "autodiscover_modules", lambda *names: None)
    return fresh


@pytest.fixture
def counting_job(registry):
    calls: list[datetime] = []

    @scheduled_job("count_visits", every=HOUR)
    def count_visits(now):
        calls.append(now)
        return f"{len(calls)} visits"

    return calls


@pytest.mark.django_db
def test_due_job_runs_once_and_moves_its_next_run(counting_job):
    ensure_jobs(NOW)
    assert run_due_jobs(NOW, "worker-a") == ["ran count_visits: 1 visits"]
    row = ScheduledJob.objects.get(name="count_visits")
    assert counting_job == [NOW]
    assert row.next_run_at == NOW + HOUR
    assert (row.last_started_at, row.last_worker, row.last_result, row.last_error) == (NOW, "worker-a", "1 visits", "")
    assert row.last_finished_at is not None


@pytest.mark.django_db
def test_job_not_due_does_not_run(counting_job):
    ensure_jobs(NOW)
    ScheduledJob.objects.filter(name="count_visits").update(next_run_at=NOW + timedelta(minutes=5))
    assert run_due_jobs(NOW, "worker-a") == []
    assert counting_job == []
    assert run_due_jobs(NOW + timedelta(minutes=5), "worker-a") == ["ran count_visits: 1 visits"]


@pytest.mark.django_db
def test_two_passes_at_the_same_time_run_the_job_once(counting_job):
    ensure_jobs(NOW)
    assert run_due_jobs(NOW, "worker-a") == ["ran count_visits: 1 visits"]
    assert run_due_jobs(NOW, "worker-b") == []
    assert run_due_jobs(NOW + timedelta(minutes=59), "worker-b") == []
    assert run_due_jobs(NOW + HOUR, "worker-b") == ["ran count_visits: 2 visits"]
    assert counting_job == [NOW, NOW + HOUR]
    assert ScheduledJob.objects.get().next_run_at == NOW + 2 * HOUR


@pytest.mark.django_db
def test_failing_job_records_its_error_and_the_others_still_run(registry, counting_job):
    @scheduled_job("broken_printer", every=HOUR)
    def broken_printer(now):
        raise RuntimeError("printer on fire")

    ensure_jobs(NOW)
    lines = run_due_jobs(NOW, "worker-a")
    assert sorted(lines) == ["failed broken_printer: RuntimeError: printer on fire", "ran count_visits: 1 visits"]
    broken = ScheduledJob.objects.get(name="broken_printer")
    assert "printer on fire" in broken.last_error
    assert broken.last_result == ""
    assert broken.next_run_at == NOW + HOUR  # retried next interval, not in a tight loop


@pytest.mark.django_db
def test_a_later_success_clears_the_error(registry):
    outcomes = [RuntimeError("first"), None]

    @scheduled_job("flaky", every=HOUR)
    def flaky(now):
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome
        return "ok"

    ensure_jobs(NOW)
    run_due_jobs(NOW, "w")
    run_due_jobs(NOW + HOUR, "w")
    row = ScheduledJob.objects.get()
    assert (row.last_result, row.last_error) == ("ok", "")


@pytest.mark.django_db
def test_ensure_jobs_keeps_one_row_and_follows_a_new_interval(registry):
    @scheduled_job("reminders", every=timedelta(days=1))
    def reminders(now):
        return ""

    ensure_jobs(NOW)
    ensure_jobs(NOW + HOUR)
    row = ScheduledJob.objects.get()
    assert (row.interval_seconds, row.next_run_at) == (86400, NOW)

    ScheduledJob.objects.update(next_run_at=NOW + timedelta(days=1))
    registry.clear()
    scheduled_job("reminders", every=HOUR)(reminders)
    ensure_jobs(NOW)
    row.refresh_from_db()
    assert (row.interval_seconds, row.next_run_at) == (3600, NOW + HOUR)


def test_jobs_run_at_most_once_a_second():
    with pytest.raises(ValueError):
        scheduled_job("too_fast", every=timedelta(milliseconds=10))


@pytest.mark.django_db
def test_worker_command_once_prints_what_it_ran(counting_job):
    out = io.StringIO()
    call_command("worker", "--once", "--worker-id", "test-worker", stdout=out)
    assert "ran count_visits: 1 visits" in out.getvalue()
    assert ScheduledJob.objects.get().last_worker == "test-worker"


@pytest.mark.django_db
def test_worker_command_refuses_a_bad_interval(registry):
    with pytest.raises(CommandError, match="seconds"):
        call_command("worker", "--once", "--interval", "soon")


# --- queued django-tasks tasks -----------------------------------------------------------

@task()
def add_numbers(a: int, b: int) -> int:
    return a + b


@pytest.mark.django_db
def test_queued_database_tasks_are_run(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    first, second = add_numbers.enqueue(2, 3), add_numbers.enqueue(4, 5)
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    assert run_queued_tasks("test-worker") == 2
    results = {str(r.id): r for r in DBTaskResult.objects.all()}
    assert results[str(first.id)].status == "SUCCESSFUL"
    assert results[str(first.id)].task_result.return_value == 5
    assert results[str(second.id)].task_result.return_value == 9
    assert run_queued_tasks("test-worker") == 0


def test_immediate_backend_has_no_queue():
    assert run_queued_tasks("test-worker") == 0


# --- PostgreSQL: concurrent workers -----------------------------------------------------

def in_own_connection(function, *args):
    """Run `function` in a thread with its own, autocommitting database connection."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db
def test_concurrent_workers_run_each_due_job_exactly_once(registry):
    # Every write happens in threads with their own committed connections, as in separate
    # worker processes; the test's own transaction stays out of the way. (A transactional
    # test would TRUNCATE all tables afterwards, which the audit log's trigger refuses.)
    runs: list[str] = []
    lock = threading.Lock()

    def make_job(name):
        def job(now):
            with lock:
                runs.append(name)
            return "done"
        return job

    names = [f"job_{n:02d}" for n in range(20)]
    for name in names:
        scheduled_job(name, every=HOUR)(make_job(name))

    def wait(started):
        thread, outcome = started
        thread.join(timeout=60)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    start = threading.Barrier(8)

    def worker(index):
        start.wait()
        return run_due_jobs(NOW, f"worker-{index}")

    wait(in_own_connection(ensure_jobs, NOW))
    try:
        workers = [in_own_connection(worker, i) for i in range(8)]
        lines = [line for started in workers for line in wait(started)]

        assert sorted(runs) == names
        assert len(lines) == len(names)
        rows = ScheduledJob.objects.filter(name__in=names)
        assert {row.next_run_at for row in rows} == {NOW + HOUR}
        assert {row.last_worker for row in rows} <= {f"worker-{i}" for i in range(8)}
    finally:
        wait(in_own_connection(lambda: ScheduledJob.objects.filter(name__in=names).delete()))


# --- the real process -------------------------------------------------------------------

def test_sigterm_stops_a_running_worker_cleanly(tmp_path):
    """A worker process on its own SQLite database runs the due jobs, then exits 0 on SIGTERM."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "AFTERSALES_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}", "SECRET_KEY": "test-only-" + "x" * 40,
           "DEBUG": "0", "AFTERSALES_TESTING": "1", "PYTHONUNBUFFERED": "1", "TASK_BACKEND": "database"}
    manage = [sys.executable, "-m", "aftersales"]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=root, check=True, timeout=120)

    worker = subprocess.Popen([*manage, "worker", "--interval", "60", "--worker-id", "sigterm-test"],
                              env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # One line per job of the first pass (jobs run in name order), printed before sleeping.
        first_line = worker.stdout.readline()
        assert first_line.startswith("ran "), first_line
        ran = [first_line]
        while "warranty_notices" not in ran[-1] and ran[-1] and len(ran) < 50:
            ran.append(worker.stdout.readline())
        assert "ran warranty_notices: 0 notices" in ran[-1]  # the last job by name, on the empty database
        worker.send_signal(signal.SIGTERM)
        rest, errors = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, errors
    assert "worker stopped" in rest
