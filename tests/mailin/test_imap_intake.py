"""IMAP polling against a real Dovecot: unseen mails are fetched, stored through the same
intake as SMTP, and only then flagged seen (or moved)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.mailin.choices import MailReason, MailStatus, MailVia
from aftersales.mailin.intake import poll_imap
from aftersales.mailin.models import InboundMail
from aftersales.mailin.tasks import poll_imap_job
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket
from tests.mailin.conftest import make_mail


def raw(message) -> bytes:
    from email import policy

    return message.as_bytes(policy=policy.SMTP)


def test_unseen_mails_are_taken_and_then_flagged_seen(mailbox, contact):
    mailbox.deliver(raw(make_mail(subject="UPS 告警")))
    mailbox.deliver(raw(make_mail(sender="stranger@elsewhere.example", subject="报价咨询")))
    mailbox.deliver(b"this is not an e-mail at all\r\n\x01\x02\x03\r\n")

    result = poll_imap()

    assert (result.fetched, result.new) == (3, 3)
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.contact, ticket.subject) == (Channel.EMAIL, contact, "UPS 告警")
    assert InboundMail.objects.get(status=MailStatus.TRIAGE).reason == MailReason.UNKNOWN_SENDER
    quarantined = InboundMail.objects.get(status=MailStatus.QUARANTINED)
    assert bytes(quarantined.raw).startswith(b"this is not an e-mail at all")
    assert set(InboundMail.objects.values_list("via", flat=True)) == {MailVia.IMAP}
    assert all(b"\\Seen" in flags for flags in mailbox.flags())
    # The next poll finds nothing new.
    assert poll_imap().fetched == 0


def test_the_same_mail_delivered_twice_is_taken_once(mailbox, contact):
    message = raw(make_mail(message_id="<twice@customer.example>"))
    mailbox.deliver(message)
    mailbox.deliver(message)

    result = poll_imap()

    assert (result.fetched, result.new, result.duplicates) == (2, 1, 1)
    assert InboundMail.objects.count() == 1 and Ticket.objects.count() == 1
    assert all(b"\\Seen" in flags for flags in mailbox.flags())


def test_taken_mails_can_be_moved_to_another_folder(mailbox, contact, settings):
    settings.MAILIN_IMAP_MOVE_TO = "Processed"
    mailbox.deliver(raw(make_mail()))

    poll_imap()

    assert mailbox.flags("INBOX") == []
    assert len(mailbox.flags("Processed")) == 1
    assert Ticket.objects.count() == 1


def test_a_poll_takes_at_most_a_batch(mailbox, contact, settings):
    settings.MAILIN_IMAP_BATCH = 2
    for n in range(3):
        mailbox.deliver(raw(make_mail(subject=f"故障 {n}")))
    assert poll_imap().fetched == 2
    assert poll_imap().fetched == 1
    assert Ticket.objects.count() == 3


def test_the_scheduled_job_polls_only_when_configured(mailbox, contact, settings):
    mailbox.deliver(raw(make_mail()))
    assert "1 new" in poll_imap_job(None)
    settings.MAILIN_IMAP_HOST = ""
    assert "off" in poll_imap_job(None)


def test_the_command_polls_once(mailbox, contact):
    mailbox.deliver(raw(make_mail()))
    out = StringIO()
    call_command("mail_intake", "imap", "--once", stdout=out)
    assert "1 fetched" in out.getvalue()
    assert Ticket.objects.count() == 1


def test_the_command_explains_a_wrong_password(mailbox, settings):
    settings.MAILIN_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="IMAP polling failed"):
        call_command("mail_intake", "imap", "--once", stdout=StringIO())


def test_the_command_needs_a_host(db, settings):
    settings.MAILIN_IMAP_HOST = ""
    with pytest.raises(CommandError, match="MAILIN_IMAP_HOST"):
        call_command("mail_intake", "imap", "--once", stdout=StringIO())


def test_a_mail_that_could_not_be_stored_stays_unseen_for_the_next_poll(mailbox, contact, failing_database):
    mailbox.deliver(raw(make_mail()))
    with failing_database():
        result = poll_imap()
    assert (result.fetched, result.failed) == (1, 1)
    assert not InboundMail.objects.exists()
    assert all(b"\\Seen" not in flags for flags in mailbox.flags())

    assert poll_imap().new == 1
    assert Ticket.objects.count() == 1
    assert all(b"\\Seen" in flags for flags in mailbox.flags())
