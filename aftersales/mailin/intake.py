"""The two ways mail comes in: an inbound SMTP endpoint (aiosmtpd) and IMAP polling
(imaplib). Both hand each message to `services.mail_receive` and acknowledge it only after
that transaction committed, so a crash or a database error never loses a message: the SMTP
sender is told to retry (4xx), the IMAP message stays unseen for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from aftersales.mailin.choices import MailVia
from aftersales.mailin.services import mail_receive

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- SMTP


def _receive_in_thread(raw: bytes, via: str):
    close_old_connections()
    try:
        return mail_receive(raw, now=timezone.now(), via=via)
    finally:
        close_old_connections()


class IntakeHandler:
    """aiosmtpd handler: each DATA becomes one `mail_receive`; 250 after the commit, 451 on
    a database error so the sending server queues the message and tries again.

    The database work runs in the handler's own single thread (Django's ORM may not run in
    the event loop), which keeps one connection for the endpoint's lifetime."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-intake")

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            mail, created = await loop.run_in_executor(self._executor, _receive_in_thread, raw, MailVia.SMTP)
        except DatabaseError:
            logger.exception("Storing an inbound mail failed; the sender is asked to retry")
            return "451 4.3.0 The message could not be stored; try again later"
        logger.info("Inbound mail %s from %s: %s", mail.pk, mail.from_address or "?",
                    mail.status if created else "duplicate")
        return "250 2.0.0 Message accepted"

    def close_connections(self) -> None:
        """Close the database connection of the handler's thread (when the endpoint stops)."""
        self._executor.submit(connections.close_all).result(timeout=30)


def smtp_controller(host: str, port: int):
    """An aiosmtpd Controller for the intake, not yet started. Messages up to twice
    MAILIN_MAX_BYTES are taken (and quarantined when over the limit); bigger ones are
    refused in the SMTP dialogue (552), so the sender gets a bounce instead of a loss."""
    from aiosmtpd.controller import Controller

    class IntakeController(Controller):
        def stop(self, *args, **kwargs):
            try:
                super().stop(*args, **kwargs)
            finally:
                self.handler.close_connections()

    return IntakeController(IntakeHandler(), hostname=host, port=port,
                            data_size_limit=2 * settings.MAILIN_MAX_BYTES, ident="Aftersales mail intake")


# --------------------------------------------------------------------------- IMAP


@dataclass
class PollResult:
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.fetched} fetched", f"{self.new} new", f"{self.duplicates} already taken"]
        if self.failed:
            parts.append(f"{self.failed} failed (left unseen)")
        parts += [f"{count} {status}" for status, count in sorted(self.statuses.items())]
        return ", ".join(parts)


def imap_connect() -> imaplib.IMAP4:
    """A logged-in connection to the MAILIN_IMAP_* mailbox (SSL, STARTTLS or plain)."""
    security = settings.MAILIN_IMAP_SECURITY.lower()
    host, timeout = settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_TIMEOUT
    if security not in {"ssl", "starttls", "plain"}:
        raise ValueError(f"MAILIN_IMAP_SECURITY must be ssl, starttls or plain, not {security!r}")
    if security == "ssl":
        connection = imaplib.IMAP4_SSL(host, settings.MAILIN_IMAP_PORT or 993,
                                       ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        connection = imaplib.IMAP4(host, settings.MAILIN_IMAP_PORT or 143, timeout=timeout)
        if security == "starttls":
            connection.starttls(ssl_context=ssl.create_default_context())
    connection.login(settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD)
    return connection


def _check(response: tuple, what: str):
    kind, data = response
    if kind != "OK":
        raise imaplib.IMAP4.error(f"{what} failed: {data!r}")
    return data


def _done_with(connection: imaplib.IMAP4, uid: bytes, move_to: str, can_move: bool) -> None:
    """Mark the message taken: moved to `move_to`, or flagged \\Seen where it is."""
    if not move_to:
        _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
    elif can_move:
        _check(connection.uid("MOVE", uid, move_to), "MOVE")
    else:
        _check(connection.uid("COPY", uid, move_to), "COPY")
        _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)"), "STORE")


def poll_imap(*, limit: int | None = None) -> PollResult:
    """Fetch the UNSEEN messages of MAILIN_IMAP_FOLDER (up to `limit`, default
    MAILIN_IMAP_BATCH), store each through `mail_receive`, and only then flag it \\Seen (or
    move it to MAILIN_IMAP_MOVE_TO). A message whose storing failed stays unseen and is
    fetched again by the next poll; one taken twice is recognised by its Message-ID."""
    result = PollResult()
    move_to = settings.MAILIN_IMAP_MOVE_TO
    connection = imap_connect()
    try:
        _check(connection.select(_quoted(settings.MAILIN_IMAP_FOLDER)), "SELECT")
        can_move = b"MOVE" in b" ".join(_check(connection.capability(), "CAPABILITY")).upper()
        uids = _check(connection.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0].split()
        for uid in uids[: limit or settings.MAILIN_IMAP_BATCH]:
            data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is None:
                continue  # expunged by another client between SEARCH and FETCH
            result.fetched += 1
            try:
                mail, created = mail_receive(raw, now=timezone.now(), via=MailVia.IMAP)
            except DatabaseError:
                logger.exception("Storing IMAP message %s failed; it stays unseen", uid)
                result.failed += 1
                continue
            if created:
                result.new += 1
                result.statuses[mail.status] = result.statuses.get(mail.status, 0) + 1
            else:
                result.duplicates += 1
            _done_with(connection, uid, move_to, can_move)
        if move_to and not can_move and result.fetched:
            connection.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            connection.logout()
    return result


def _quoted(folder: str) -> str:
    return folder if folder.isalnum() else '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
