"""`aftersales worker`: run due scheduled jobs and queued background tasks, forever or once."""

from __future__ import annotations

import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from aftersales.core.worker import ensure_jobs, run_due_jobs, run_queued_tasks


def positive_seconds(value: str) -> float:
    import argparse

    try:
        seconds = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from exc
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError("give a number of seconds between 0 and 86400")
    return seconds


class Command(BaseCommand):
    help = "Run scheduled jobs (warranty notices, ...) when due and queued background tasks."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one pass and exit.")
        parser.add_argument("--interval", type=positive_seconds, default=5.0,
                            help="Seconds to wait between passes (default 5).")
        parser.add_argument("--worker-id", default="",
                            help="Name of this worker in job records (default host:pid); unique per worker.")

    def handle(self, *args, once: bool, interval: float, worker_id: str, **options):
        worker_id = worker_id.strip() or f"{socket.gethostname()}:{os.getpid()}"
        if len(worker_id) > 64:
            raise CommandError("--worker-id must be at most 64 characters.")
        stopping = threading.Event()
        previous = self._install_sigterm(stopping)
        try:
            ensure_jobs(timezone.now())
            while True:
                self._pass(worker_id)
                if once or stopping.wait(interval):
                    break
                # A long-lived process must drop connections the database closed meanwhile.
                close_old_connections()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if stopping.is_set():
            self.stdout.write("worker stopped")

    def _pass(self, worker_id: str) -> None:
        for line in run_due_jobs(timezone.now(), worker_id):
            self.stdout.write(line)
        tasks_run = run_queued_tasks(worker_id)
        if tasks_run:
            self.stdout.write(f"ran {tasks_run} queued tasks")

    def _install_sigterm(self, stopping: threading.Event):
        # SIGTERM (systemd, docker stop) finishes the running job and then exits 0.
        if threading.current_thread() is not threading.main_thread():
            return None
        return signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
