"""Fixtures of the mail intake tests: mails as a customer's mail program writes them, and
the real intake SMTP endpoint on a free port."""

from __future__ import annotations

import importlib
import shutil
import smtplib
import tempfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from aftersales.mailin.intake import smtp_controller
from tests.factories import ContactFactory, CustomerFactory
from tests.mail import free_port

SUPPORT = "support@vendor.example"


def make_mail(*, sender: str = "li.lei@customer.example", subject: str = "防火墙宕机", body: str = "主防火墙无法登录。",
              message_id: str | None = None, in_reply_to: str | None = None, html: str | None = None,
              attachments: tuple[tuple[str, str, bytes], ...] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2025, 3, 3, 2, 0, tzinfo=UTC))
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


@pytest.fixture
def contact(db):
    """Li Lei, the contact of one customer, writing from li.lei@customer.example."""
    return ContactFactory(customer=CustomerFactory(name="华东数据中心"), name="李雷", email="Li.Lei@Customer.example")


def _create_named_calendars() -> None:
    named_calendars = importlib.import_module("aftersales.calendars.migrations.0002_named_service_calendars")
    named_calendars.create_named_calendars(django_apps, None)


@pytest.fixture
def _named_calendars_after_flush(django_db_blocker):
    """Set up before transactional_db, so torn down after its flush: puts the named service
    calendars back, and the tests that run next find the database as migrations left it."""
    yield
    with django_db_blocker.unblock():
        _create_named_calendars()


@pytest.fixture
def committed_db(_named_calendars_after_flush, transactional_db):
    """A database whose writes commit (for work done in other threads), with the named
    service calendars (5x8, 7x24) that a data migration creates and that an earlier
    transactional test's flush may have removed."""
    _create_named_calendars()


@pytest.fixture
def intake_smtp(committed_db, settings):
    """The intake SMTP endpoint (what `aftersales mail_intake smtp` runs), started on a free
    port. The handler stores mails from its own thread, so tests commit (committed_db)."""
    controller = smtp_controller("127.0.0.1", free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def send(controller, message: EmailMessage | bytes, *, sender: str = "li.lei@customer.example") -> None:
    """Deliver over SMTP as a mail server would; raises smtplib errors on a 4xx/5xx answer."""
    data = message if isinstance(message, bytes) else message.as_bytes(policy=policy.SMTP)  # CRLF lines
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        client.sendmail(sender, [SUPPORT], data)


@pytest.fixture(scope="session")
def dovecot():
    """A real Dovecot IMAP server for the whole session (see tests/mailin/imap_server.py).
    Its directory is made outside pytest's private (0700) tmp tree: when the tests run as
    root, Dovecot's own account has to reach its files."""
    from tests.mailin.imap_server import start_dovecot, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    server = start_dovecot(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, settings):
    """The Dovecot mailbox, emptied, with the MAILIN_IMAP_* settings pointing at it."""
    dovecot.empty()
    settings.MAILIN_IMAP_HOST = dovecot.host
    settings.MAILIN_IMAP_PORT = dovecot.port
    settings.MAILIN_IMAP_SECURITY = "plain"
    settings.MAILIN_IMAP_USER = dovecot.user
    settings.MAILIN_IMAP_PASSWORD = dovecot.password
    settings.MAILIN_IMAP_FOLDER = "INBOX"
    settings.MAILIN_IMAP_MOVE_TO = ""
    return dovecot


@pytest.fixture
def failing_database():
    """failing_database() -> a context manager inside which every insert of an inbound
    mail fails in the database itself (a trigger), as a full disk or a lost primary would."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def failing():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("CREATE OR REPLACE FUNCTION mailin_test_refuse() RETURNS trigger AS $$ "
                               "BEGIN RAISE EXCEPTION 'the disk is full'; END; $$ LANGUAGE plpgsql")
                cursor.execute("CREATE TRIGGER mailin_test_refuse BEFORE INSERT ON mailin_inboundmail "
                               "FOR EACH ROW EXECUTE FUNCTION mailin_test_refuse()")
            else:
                cursor.execute("CREATE TRIGGER mailin_test_refuse BEFORE INSERT ON mailin_inboundmail "
                               "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("DROP TRIGGER mailin_test_refuse ON mailin_inboundmail")
                    cursor.execute("DROP FUNCTION mailin_test_refuse()")
                else:
                    cursor.execute("DROP TRIGGER mailin_test_refuse")

    return failing
