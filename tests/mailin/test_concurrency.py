"""Two intake processes taking the same message at the same moment (two IMAP pollers, or
an SMTP retry racing the first delivery) store it once and open one request."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.mailin.choices import MailVia
from aftersales.mailin.models import InboundMail
from aftersales.mailin.services import mail_receive
from aftersales.tickets.models import Ticket
from tests.core.test_worker import in_own_connection
from tests.mailin.conftest import make_mail


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks")
def test_the_same_message_taken_at_once_by_two_processes_is_stored_once(committed_db, contact):
    raw = make_mail(message_id="<race@customer.example>").as_bytes()
    start = threading.Barrier(2)

    def receive():
        start.wait()
        mail, created = mail_receive(raw, via=MailVia.IMAP)
        return mail.pk, created

    threads = [in_own_connection(receive) for _ in range(2)]
    outcomes = []
    for thread, outcome in threads:
        thread.join(timeout=60)
        if "error" in outcome:
            raise outcome["error"]
        outcomes.append(outcome["value"])

    assert sorted(created for _pk, created in outcomes) == [False, True]
    assert len({pk for pk, _created in outcomes}) == 1
    assert InboundMail.objects.count() == 1 and Ticket.objects.count() == 1
