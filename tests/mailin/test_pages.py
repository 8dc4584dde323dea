"""The triage and quarantine pages: what the desk sees, the actions, who may do what, and
that a customer user never meets another customer's (or anyone's unmatched) mail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.customers.models import Contact
from aftersales.mailin.choices import MailStatus, MailVia
from aftersales.mailin.services import mail_receive
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, CustomerUserFactory
from tests.mailin.conftest import make_mail
from tests.pages import logged_in, no_role_user, page_text

NOW = datetime.fromisoformat("2025-03-03T10:00:00+08:00")
GARBAGE = b"\xff\xfe not a mail\r\n\r\n\x01\x02"


def receive(message, now=NOW):
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return mail_receive(raw, now=now, via=MailVia.SMTP)[0]


@pytest.fixture
def stranger_mail(db):
    return receive(make_mail(sender="王芳 <wang.fang@newcustomer.example>", subject="新设备无法开机",
                             attachments=(("照片.jpg", "image/jpeg", b"\xff\xd8" + b"0" * 98),)))


@pytest.fixture
def quarantined(db):
    return receive(GARBAGE)


@pytest.fixture
def desk(make_user):
    return logged_in(make_user(Role.SERVICE_DESK))


@pytest.fixture
def manager_client(manager):
    return logged_in(manager)


def action_url(mail, action):
    return reverse("mailin:mail_action", args=[mail.pk, action])


def test_triage_lists_sender_subject_received_and_reason(desk, stranger_mail, quarantined, contact):
    receive(make_mail())  # a known contact's mail becomes a ticket, not a triage row
    response = desk.get(reverse("mailin:triage"))
    assert response.status_code == 200
    text = page_text(response)
    assert "wang.fang@newcustomer.example" in text and "王芳" in text and "新设备无法开机" in text
    assert "The sender is not a contact of any customer" in text
    assert "2025-03-03 10:00" in text
    assert f"mail-{quarantined.pk}" not in text  # quarantine is a separate list
    assert text.count('id="mail-') == 1


def test_the_triage_list_costs_the_same_queries_for_many_mails(desk, django_assert_max_num_queries):
    for n in range(30):
        receive(make_mail(sender=f"person{n}@unknown.example", subject=f"问题 {n}"), now=NOW + timedelta(minutes=n))
    with django_assert_max_num_queries(7):
        response = desk.get(reverse("mailin:triage"))
    assert page_text(response).count('id="mail-') == 30


def test_create_a_ticket_for_a_chosen_customer_and_add_the_sender_as_contact(desk, stranger_mail):
    customer = CustomerFactory(name="新客户有限公司")
    page = desk.get(stranger_mail.get_absolute_url())
    assert page.status_code == 200 and "照片.jpg" in page_text(page)

    response = desk.post(action_url(stranger_mail, "create-ticket"),
                         {"customer": customer.pk, "add_contact": "on", "contact_name": "王芳（采购）"})

    assert response.status_code == 302 and response["Location"] == reverse("mailin:triage")
    ticket = Ticket.objects.get()
    contact = Contact.objects.get(email="wang.fang@newcustomer.example")
    assert (ticket.customer, ticket.contact, ticket.channel, contact.name) == (customer, contact, "email", "王芳（采购）")
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == MailStatus.TICKET_CREATED
    assert AuditLog.objects.filter(object_type="mailin.inboundmail", object_id=str(stranger_mail.pk), action="update").exists()
    assert ticket.number in page_text(desk.get(reverse("mailin:triage")))  # under "recently handled"


def test_create_a_ticket_without_a_customer_shows_the_field_error(desk, stranger_mail):
    response = desk.post(action_url(stranger_mail, "create-ticket"), {"customer": ""})
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert not Ticket.objects.exists()


def test_attach_to_a_ticket_by_its_number(desk, stranger_mail, contact):
    ticket = receive(make_mail()).ticket
    bad = desk.post(action_url(stranger_mail, "attach"), {"ticket": "SR-2020-999999"})
    assert bad.status_code == 400 and "No service request has the number SR-2020-999999." in page_text(bad)

    response = desk.post(action_url(stranger_mail, "attach"), {"ticket": ticket.number.lower()})

    assert response.status_code == 302
    assert ticket.events.filter(kind=EventKind.EMAIL, data__from="wang.fang@newcustomer.example").exists()
    stranger_mail.refresh_from_db()
    assert (stranger_mail.status, stranger_mail.ticket) == (MailStatus.COMMENT_ADDED, ticket)


def test_discard_needs_a_reason(desk, stranger_mail):
    response = desk.post(action_url(stranger_mail, "discard"), {"reason": ""})
    assert response.status_code == 400 and "This field is required." in page_text(response)

    assert desk.post(action_url(stranger_mail, "discard"), {"reason": "广告邮件"}).status_code == 302
    stranger_mail.refresh_from_db()
    assert (stranger_mail.status, stranger_mail.handled_note) == (MailStatus.DISCARDED, "广告邮件")
    # A handled mail offers no actions any more and cannot be handled twice.
    again = desk.post(action_url(stranger_mail, "discard"), {"reason": "again"})
    assert again.status_code == 400 and "already handled" in page_text(again)


def test_quarantine_lists_the_reason_and_downloads_the_raw_message(manager_client, quarantined):
    text = page_text(manager_client.get(reverse("mailin:quarantine")))
    assert "The message cannot be read" in text or "no usable sender" in text
    assert reverse("mailin:mail_raw", args=[quarantined.pk]) in text

    download = manager_client.get(reverse("mailin:mail_raw", args=[quarantined.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "message/rfc822"
    assert f'filename="mail-{quarantined.pk}.eml"' in download["Content-Disposition"]
    assert download.content == GARBAGE


def test_a_manager_discards_a_quarantined_mail(manager_client, quarantined):
    response = manager_client.post(action_url(quarantined, "discard"), {"reason": "病毒样本"})
    assert response.status_code == 302 and response["Location"] == reverse("mailin:quarantine")
    quarantined.refresh_from_db()
    assert quarantined.status == MailStatus.DISCARDED and bytes(quarantined.raw) == GARBAGE


def test_the_desk_may_not_open_the_quarantine(desk, quarantined):
    assert desk.get(reverse("mailin:quarantine")).status_code == 403
    assert desk.get(reverse("mailin:mail_raw", args=[quarantined.pk])).status_code == 403
    assert desk.get(quarantined.get_absolute_url()).status_code == 403


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.FIELD_ENGINEER, Role.VICE_PRESIDENT, Role.SALES])
def test_roles_without_triage_rights_are_refused(make_user, role, stranger_mail):
    client = logged_in(make_user(role))
    assert client.get(reverse("mailin:triage")).status_code == 403
    assert client.get(stranger_mail.get_absolute_url()).status_code == 403
    assert client.post(action_url(stranger_mail, "discard"), {"reason": "x"}).status_code == 403
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == MailStatus.TRIAGE


def test_a_user_without_a_role_is_refused(stranger_mail):
    client = logged_in(no_role_user())
    assert client.get(reverse("mailin:triage")).status_code == 403
    assert client.get(stranger_mail.get_absolute_url()).status_code == 403


def test_a_customer_user_gets_404_for_any_mail_not_of_its_customer(stranger_mail, quarantined, contact):
    other_customers_mail = receive(make_mail())  # matched to the contact's customer
    client = logged_in(CustomerUserFactory())
    assert client.get(reverse("mailin:triage")).status_code == 403
    for mail in (stranger_mail, quarantined, other_customers_mail):
        assert client.get(mail.get_absolute_url()).status_code == 404
        assert client.get(reverse("mailin:mail_raw", args=[mail.pk])).status_code == 404
        assert client.post(action_url(mail, "discard"), {"reason": "x"}).status_code == 404
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == MailStatus.TRIAGE


def test_an_unknown_action_is_404(desk, stranger_mail):
    assert desk.post(action_url(stranger_mail, "explode"), {}).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, stranger_mail):
    response = client.get(reverse("mailin:triage"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_shows_mails_read_only(admin, stranger_mail):
    client = logged_in(admin)
    listing = client.get(reverse("admin:mailin_inboundmail_changelist"))
    assert listing.status_code == 200 and "wang.fang@newcustomer.example" in page_text(listing)
    page = client.get(reverse("admin:mailin_inboundmail_change", args=[stranger_mail.pk]))
    assert page.status_code == 200 and "新设备无法开机" in page_text(page)
    assert client.post(reverse("admin:mailin_inboundmail_delete", args=[stranger_mail.pk]), {"post": "yes"}).status_code == 403
