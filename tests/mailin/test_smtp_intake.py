"""Mail sent with smtplib to the real intake endpoint (aiosmtpd) ends up where a service
desk expects it: a new request, a comment, triage or quarantine."""

from __future__ import annotations

import smtplib

import pytest

from aftersales.mailin.choices import MailReason, MailStatus, MailVia
from aftersales.mailin.intake import smtp_controller
from aftersales.mailin.models import InboundMail
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from tests.factories import ContactFactory, CustomerFactory
from tests.mail import free_port
from tests.mailin.conftest import make_mail, send


def test_a_known_contacts_mail_becomes_a_ticket_on_the_email_channel(intake_smtp, contact):
    send(intake_smtp, make_mail(subject="核心交换机掉线", body="机房A的核心交换机从10点起掉线。"))

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.customer == contact.customer and ticket.contact == contact
    assert ticket.subject == "核心交换机掉线"
    assert "核心交换机从10点起掉线" in ticket.description
    assert ticket.number.startswith("SR-") and ticket.sla_targets.exists()
    mail = InboundMail.objects.get()
    assert (mail.status, mail.ticket, mail.via) == (MailStatus.TICKET_CREATED, ticket, MailVia.SMTP)


def test_a_reply_with_the_ticket_number_becomes_a_comment(intake_smtp, contact):
    send(intake_smtp, make_mail(subject="防火墙宕机"))
    ticket = Ticket.objects.get()

    send(intake_smtp, make_mail(subject=f"Re: [{ticket.number}] 防火墙宕机",
                                body="已按要求重启，故障依旧。\n\nOn Mon, desk wrote:\n> 请重启设备"))

    assert Ticket.objects.count() == 1
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.EMAIL)
    assert event.data["text"] == "已按要求重启，故障依旧。"
    assert event.data["from"] == "li.lei@customer.example"
    reply = InboundMail.objects.get(status=MailStatus.COMMENT_ADDED)
    assert reply.ticket == ticket


def test_an_unknown_sender_goes_to_triage(intake_smtp, contact):
    send(intake_smtp, make_mail(sender="stranger@elsewhere.example"), sender="stranger@elsewhere.example")

    mail = InboundMail.objects.get()
    assert (mail.status, mail.reason) == (MailStatus.TRIAGE, MailReason.UNKNOWN_SENDER)
    assert mail.from_address == "stranger@elsewhere.example"
    assert not Ticket.objects.exists()


def test_a_contact_of_two_customers_goes_to_triage(intake_smtp, contact):
    ContactFactory(customer=CustomerFactory(), name="李雷", email="li.lei@customer.example")
    send(intake_smtp, make_mail())

    mail = InboundMail.objects.get()
    assert (mail.status, mail.reason) == (MailStatus.TRIAGE, MailReason.AMBIGUOUS_SENDER)
    assert not Ticket.objects.exists()


def test_a_garbage_message_is_quarantined_with_its_raw_bytes(intake_smtp, contact):
    garbage = b"\x89PNG\r\n\x1a\n\xff\xfe binary junk without any header\r\n" + bytes(range(1, 9)) + b"\r\n"
    send(intake_smtp, garbage)

    mail = InboundMail.objects.get()
    assert mail.status == MailStatus.QUARANTINED
    assert mail.reason in (MailReason.UNPARSEABLE, MailReason.NO_SENDER)
    assert bytes(mail.raw).replace(b"\r\n", b"\n").startswith(garbage.replace(b"\r\n", b"\n")[:20])
    assert not Ticket.objects.exists()


def test_the_same_message_id_twice_is_taken_once(intake_smtp, contact):
    message = make_mail(message_id="<retry-1@customer.example>")
    send(intake_smtp, message)
    send(intake_smtp, message)  # a sending server retrying after a lost 250 answer

    assert InboundMail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_message_over_the_limit_is_quarantined_not_lost(intake_smtp, contact, settings):
    settings.MAILIN_MAX_BYTES = 2000
    send(intake_smtp, make_mail(attachments=(("log.bin", "application/octet-stream", bytes(range(256)) * 5),)))

    mail = InboundMail.objects.get()
    assert (mail.status, mail.reason) == (MailStatus.QUARANTINED, MailReason.TOO_LARGE)
    assert mail.from_address == "li.lei@customer.example" and mail.subject == "防火墙宕机"
    assert len(bytes(mail.raw)) > 2000


def test_a_message_far_over_the_limit_is_refused_in_the_dialogue(intake_smtp, contact, settings):
    settings.MAILIN_MAX_BYTES = 1000
    controller = smtp_controller("127.0.0.1", free_port())  # reads the limit when it starts
    controller.start()
    try:
        with pytest.raises(smtplib.SMTPException):
            send(controller, make_mail(body="一行文字\n" * 400))
    finally:
        controller.stop()
    assert not InboundMail.objects.exists()


def test_a_database_error_answers_4xx_so_the_sender_retries(intake_smtp, contact, failing_database):
    message = make_mail(message_id="<retry-after-451@customer.example>")
    with failing_database():
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(intake_smtp, message)
        assert 400 <= refused.value.smtp_code < 500
    assert not InboundMail.objects.exists() and not Ticket.objects.exists()

    send(intake_smtp, message)  # the sending server's retry

    assert InboundMail.objects.get().status == MailStatus.TICKET_CREATED
