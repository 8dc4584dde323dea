"""`aftersales mail_intake smtp --host 127.0.0.1 --port 2525`: run the inbound SMTP endpoint.
`aftersales mail_intake imap [--once]`: poll the MAILIN_IMAP_* mailbox (every --interval
seconds, or once)."""

from __future__ import annotations

import imaplib
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Take e-mail in: run the inbound SMTP endpoint, or poll the IMAP mailbox."

    def add_arguments(self, parser):
        modes = parser.add_subparsers(dest="mode", required=True, metavar="{smtp,imap}")
        smtp = modes.add_parser("smtp", help="Run the inbound SMTP endpoint until stopped.")
        smtp.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        smtp.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")
        imap = modes.add_parser("imap", help="Poll the MAILIN_IMAP_* mailbox.")
        imap.add_argument("--once", action="store_true", help="Poll once and exit.")
        imap.add_argument("--interval", type=int, default=60, help="Seconds between polls (default 60).")

    def handle(self, *args, **options):
        if options["mode"] == "smtp":
            self.run_smtp(options["host"], options["port"])
        else:
            self.run_imap(once=options["once"], interval=options["interval"])

    def _stop_event(self) -> threading.Event:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        return stop

    def run_smtp(self, host: str, port: int) -> None:
        from aftersales.mailin.intake import smtp_controller

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        controller = smtp_controller(host, port)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(f"Mail intake listening on smtp://{host}:{port}/ (Ctrl+C to stop)")
        stop = self._stop_event()
        try:
            stop.wait()
        finally:
            controller.stop()
        self.stdout.write("Mail intake stopped.")

    def run_imap(self, *, once: bool, interval: int) -> None:
        from aftersales.mailin.intake import poll_imap

        if not settings.MAILIN_IMAP_HOST:
            raise CommandError("Set MAILIN_IMAP_HOST (and MAILIN_IMAP_USER, MAILIN_IMAP_PASSWORD) first.")
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        stop = self._stop_event() if not once else threading.Event()
        while True:
            try:
                self.stdout.write(poll_imap().summary())
            except (imaplib.IMAP4.error, OSError, ValueError) as exc:
                if once:
                    raise CommandError(f"IMAP polling failed: {exc}") from exc
                self.stderr.write(f"IMAP polling failed: {exc}")
            if once or stop.wait(interval):
                return
