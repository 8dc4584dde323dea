"""mail_receive and the triage actions, called directly (the SMTP and IMAP tests drive the
same service through real servers)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.customers.models import Contact
from aftersales.mailin.choices import MailReason, MailStatus, MailVia
from aftersales.mailin.services import mail_attach, mail_create_ticket, mail_discard, mail_receive
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory
from tests.mailin.conftest import make_mail

NOW = datetime.fromisoformat("2025-03-03T10:00:00+08:00")


def receive(message, **kwargs):
    return mail_receive(message.as_bytes(), now=NOW, via=MailVia.SMTP, **kwargs)


def test_a_reply_found_by_in_reply_to_becomes_a_comment(contact):
    first, _ = receive(make_mail(message_id="<first@customer.example>"))
    reply, created = receive(make_mail(subject="Re: 防火墙宕机", body="补充：日志见附件",
                                       in_reply_to="<first@customer.example>"))
    assert created and reply.status == MailStatus.COMMENT_ADDED and reply.ticket == first.ticket
    assert first.ticket.events.filter(kind=EventKind.EMAIL, data__text="补充：日志见附件").exists()


def test_a_reply_from_someone_else_waits_in_triage(contact):
    first, _ = receive(make_mail())
    other, _ = receive(make_mail(sender="someone@else.example", subject=f"Re: {first.ticket.number}"))
    assert (other.status, other.reason, other.ticket) == (MailStatus.TRIAGE, MailReason.NOT_A_CONTACT_OF_TICKET, first.ticket)
    assert not first.ticket.events.filter(kind=EventKind.EMAIL).exists()


def test_a_reply_to_a_closed_ticket_waits_in_triage(contact):
    first, _ = receive(make_mail())
    Ticket.objects.filter(pk=first.ticket.pk).update(status=Status.CLOSED)
    reply, _ = receive(make_mail(subject=f"Re: {first.ticket.number}"))
    assert (reply.status, reply.reason) == (MailStatus.TRIAGE, MailReason.TICKET_CLOSED)


def test_an_unknown_ticket_number_waits_in_triage(contact):
    mail, _ = receive(make_mail(subject="Re: SR-2020-999999 旧问题"))
    assert (mail.status, mail.reason) == (MailStatus.TRIAGE, MailReason.UNKNOWN_TICKET)
    assert not Ticket.objects.exists()


def test_what_is_kept_of_a_mail(contact):
    message = make_mail(sender="李雷 <li.lei@customer.example>", body="纯文本", html="<p>HTML 正文</p>",
                        attachments=(("日志.txt", "application/octet-stream", b"0123456789"),
                                     ("photo.png", "image/png", b"\x89PNG" + b"0" * 96)))
    mail, _ = receive(message)
    assert mail.from_name == "李雷" and mail.from_address == "li.lei@customer.example"
    assert mail.to == "support@vendor.example"
    assert mail.text_body.strip() == "纯文本"
    assert mail.attachments == [{"name": "日志.txt", "type": "application/octet-stream", "size": 10},
                                {"name": "photo.png", "type": "image/png", "size": 100}]
    assert bytes(mail.raw) == message.as_bytes()
    assert mail.received_at == NOW
    audit = AuditLog.objects.get(object_type="mailin.inboundmail", object_id=str(mail.pk))
    assert audit.actor_name == "system" and "raw" not in audit.after


def test_an_html_only_mail_reads_as_text(contact):
    message = make_mail(body="x")
    message.set_content("<html><body><p>设备告警</p><p>请尽快处理</p></body></html>", subtype="html")
    mail, _ = receive(message)
    assert "设备告警" in mail.text_body and "<p>" not in mail.text_body
    assert mail.ticket.description == mail.text_body


def test_a_mail_without_message_id_is_still_taken_once(contact):
    message = make_mail()
    del message["Message-ID"]
    first, created = receive(message)
    second, created_again = receive(message)
    assert created and not created_again and first.pk == second.pk
    assert first.message_id.startswith("<sha256-")


def test_a_mail_without_a_sender_is_quarantined(contact):
    message = make_mail()
    del message["From"]
    mail, _ = receive(message)
    assert (mail.status, mail.reason) == (MailStatus.QUARANTINED, MailReason.NO_SENDER)


# --------------------------------------------------------------------------- triage actions


@pytest.fixture
def agent(make_user):
    return make_user(Role.SERVICE_DESK, username="desk")


@pytest.fixture
def stranger_mail(db):
    mail, _ = receive(make_mail(sender="王芳 <wang.fang@newcustomer.example>", subject="新设备无法开机"))
    assert mail.status == MailStatus.TRIAGE
    return mail


def test_triage_creates_a_ticket_and_adds_the_sender_as_a_contact(stranger_mail, agent):
    customer = CustomerFactory()
    ticket = mail_create_ticket(mail=stranger_mail, customer=customer, actor=agent, add_contact=True, now=NOW)

    contact = Contact.objects.get(customer=customer, email="wang.fang@newcustomer.example")
    assert contact.name == "王芳"
    assert (ticket.channel, ticket.customer, ticket.contact, ticket.subject) == (Channel.EMAIL, customer, contact, "新设备无法开机")
    stranger_mail.refresh_from_db()
    assert (stranger_mail.status, stranger_mail.handled_by, stranger_mail.ticket) == (MailStatus.TICKET_CREATED, agent, ticket)
    assert AuditLog.objects.filter(object_type="customers.contact", actor=agent).exists()
    # The sender is now known: the next mail from them is taken without triage.
    follow_up, _ = receive(make_mail(sender="wang.fang@newcustomer.example", subject="另一台也坏了"))
    assert follow_up.status == MailStatus.TICKET_CREATED and follow_up.ticket.customer == customer


def test_triage_attaches_a_mail_to_a_ticket(stranger_mail, agent, contact):
    ticket, _ = receive(make_mail())
    event = mail_attach(mail=stranger_mail, ticket=ticket.ticket, actor=agent, now=NOW)
    assert event.kind == EventKind.EMAIL and event.actor == agent
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == MailStatus.COMMENT_ADDED and stranger_mail.customer == ticket.ticket.customer


def test_discard_needs_a_reason_and_a_handled_mail_cannot_be_handled_again(stranger_mail, agent):
    with pytest.raises(ValidationError) as error:
        mail_discard(mail=stranger_mail, reason=" ", actor=agent)
    assert "reason" in error.value.message_dict
    mail_discard(mail=stranger_mail, reason="Spam", actor=agent, now=NOW)
    stranger_mail.refresh_from_db()
    assert (stranger_mail.status, stranger_mail.handled_note) == (MailStatus.DISCARDED, "Spam")
    with pytest.raises(ValidationError):
        mail_create_ticket(mail=stranger_mail, customer=CustomerFactory(), actor=agent)
    assert not Ticket.objects.exists()
