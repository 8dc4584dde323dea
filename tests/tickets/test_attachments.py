"""Attachments on service requests (photos, logs): the API, the staff ticket page and the
portal, with type and size limits and customer scoping."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.tickets.models import TicketAttachment, TicketEvent
from tests.factories import TicketFactory

URL = "/api/v1/tickets"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOG = "2025-01-27 18:00:01 ERROR 电源模块 PSU2 故障\n".encode()


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def attach(client, ticket, *, name="fault.png", content=PNG):
    return client.post(f"{URL}/{ticket.pk}/attachments", {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def ticket(db):
    return TicketFactory()


@pytest.fixture
def engineer(make_user):
    return make_user(Role.FIELD_ENGINEER, username="engineer")


@pytest.fixture
def engineer_api(engineer, api_client_for):
    return api_client_for(engineer)


# -- API -----------------------------------------------------------------------------------


def test_an_engineer_attaches_a_photo_that_is_listed_and_downloads_with_the_same_bytes(ticket, engineer_api):
    response = attach(engineer_api, ticket)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["size"], body["content_type"], body["uploaded_by"]) == (
        "fault.png", len(PNG), "image/png", "engineer")
    attachment = TicketAttachment.objects.get(pk=body["id"])
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PNG
    assert stored.relative_to(settings.MEDIA_ROOT).parts[:3] == ("tickets", str(ticket.created_at.year), ticket.number)
    # On the timeline and in the audit log.
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.data["attachment"]) == ("commented", "fault.png")
    assert AuditLog.objects.filter(object_type="tickets.ticketattachment", action="create").count() == 1

    listed = engineer_api.get(f"{URL}/{ticket.pk}/attachments").json()
    assert [a["id"] for a in listed] == [attachment.pk]

    download = engineer_api.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert 'filename="fault.png"' in download["Content-Disposition"]


def test_a_file_over_the_limit_is_refused_with_the_size_and_nothing_is_stored(ticket, engineer_api, settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1000
    files_before = media_files()

    response = attach(engineer_api, ticket, name="dump.log", content=b"x" * 1001)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    # The message (in the user's language) gives the size and the limit.
    assert error["loc"] == ["body", "file"] and "1001" in error["msg"] and "1000" in error["msg"]
    assert not TicketAttachment.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not AuditLog.objects.filter(object_type="tickets.ticketattachment").exists()
    assert media_files() == files_before
    # At the limit is fine.
    assert attach(engineer_api, ticket, name="dump.log", content=b"x" * 1000).status_code == 201


def test_a_file_of_another_type_is_refused_with_the_allowed_types(ticket, engineer_api):
    files_before = media_files()

    response = attach(engineer_api, ticket, name="setup.exe", content=b"MZ")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"]
    # The message names the refused type and the allowed ones.
    assert all(suffix in error["msg"] for suffix in (".exe", ".heic", ".jpg", ".log", ".pdf", ".zip"))
    assert not TicketAttachment.objects.exists()
    assert media_files() == files_before


def test_a_request_without_a_file_is_422_on_the_file_field(ticket, engineer_api):
    response = engineer_api.post(f"{URL}/{ticket.pk}/attachments", {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "file"
    assert not TicketAttachment.objects.exists()


def test_a_customer_user_attaches_to_their_own_ticket_and_never_reaches_another_customers(
        ticket, make_user, api_client_for, engineer_api):
    theirs = TicketFactory()
    their_attachment = TicketAttachment.objects.get(pk=attach(engineer_api, theirs).json()["id"])
    client = api_client_for(make_user(Role.CUSTOMER, customer=ticket.customer))

    mine = attach(client, ticket, name="error.log", content=LOG)
    assert mine.status_code == 201, mine.content
    assert mine.json()["content_type"] == "text/plain"
    assert b"".join(client.get(mine.json()["download_url"]).streaming_content) == LOG

    assert attach(client, theirs).status_code == 404
    assert client.get(f"{URL}/{theirs.pk}/attachments").status_code == 404
    assert client.get(f"{URL}/{theirs.pk}/attachments/{their_attachment.pk}/download").status_code == 404
    # Another ticket's attachment under my ticket's address is not found either.
    assert client.get(f"{URL}/{ticket.pk}/attachments/{their_attachment.pk}/download").status_code == 404
    assert TicketAttachment.objects.filter(ticket=theirs).count() == 1
    # Customers may not delete.
    assert client.delete(f"{URL}/{ticket.pk}/attachments/{mine.json()['id']}").status_code == 403


def test_the_vice_president_reads_but_may_not_attach(ticket, make_user, api_client_for):
    client = api_client_for(make_user(Role.VICE_PRESIDENT))
    assert client.get(f"{URL}/{ticket.pk}/attachments").status_code == 200
    assert attach(client, ticket).status_code == 403
    assert not TicketAttachment.objects.exists()


def test_a_manager_deletes_an_attachment_and_its_file_once_committed(ticket, engineer_api, manager, api_client_for,
                                                                     django_capture_on_commit_callbacks):
    attachment = TicketAttachment.objects.get(pk=attach(engineer_api, ticket).json()["id"])
    path = Path(attachment.file.path)
    assert engineer_api.delete(f"{URL}/{ticket.pk}/attachments/{attachment.pk}").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(manager).delete(f"{URL}/{ticket.pk}/attachments/{attachment.pk}")

    assert response.status_code == 204
    assert not TicketAttachment.objects.exists() and not path.exists()
    assert AuditLog.objects.filter(object_type="tickets.ticketattachment", action="delete").count() == 1


def test_listing_attachments_takes_a_fixed_number_of_queries(ticket, engineer_api, django_assert_max_num_queries):
    for n in range(5):
        attach(engineer_api, ticket, name=f"photo{n}.jpg")
    with django_assert_max_num_queries(8):
        response = engineer_api.get(f"{URL}/{ticket.pk}/attachments")
    assert len(response.json()) == 5
