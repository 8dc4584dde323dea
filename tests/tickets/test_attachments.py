"""Attachments on service requests (photos, logs): the API, the staff ticket page and the
portal, with type and size limits and customer scoping."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.tickets.models import TicketAttachment, TicketEvent
from tests.core import samples
from tests.factories import TicketFactory

URL = "/api/v1/tickets"
PNG = samples.PNG
JPEG = samples.JPEG
LOG = samples.LOG_UTF8
SAMPLE_BY_SUFFIX = {".png": PNG, ".jpg": JPEG, ".pdf": samples.PDF, ".log": LOG}


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def attach(client, ticket, *, name="fault.png", content=None):
    """Upload `content`, by default a real file of the type `name`'s extension claims; the
    answer in English, so messages can be compared."""
    if content is None:
        content = SAMPLE_BY_SUFFIX[Path(name).suffix]
    return client.post(f"{URL}/{ticket.pk}/attachments", {"file": SimpleUploadedFile(name, content)},
                       HTTP_ACCEPT_LANGUAGE="en")


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


@pytest.mark.parametrize(("name", "content", "message"), [
    ("report.pdf", samples.EXE, "The file's content is not a PDF."),
    ("report.pdf", samples.HTML, "The file's content is not a PDF."),
    ("photo.jpg", samples.PNG, "The file's content is not a JPEG image."),
    ("dump.log", samples.EXE, "The file's content is not plain text"),
    ("debug.log", samples.HTML, "not a web page"),
    ("logs.zip", samples.HTML, "The file's content is not a ZIP archive."),
])
def test_a_file_whose_content_is_not_its_type_is_refused_and_nothing_is_written(ticket, engineer_api, name,
                                                                                content, message):
    files_before = media_files()

    response = attach(engineer_api, ticket, name=name, content=content)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"] and message in error["msg"]
    assert not TicketAttachment.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not AuditLog.objects.filter(object_type="tickets.ticketattachment").exists()
    assert media_files() == files_before


@pytest.mark.parametrize(("name", "content"), [
    ("fault.png", samples.PNG), ("机房.jpg", samples.JPEG), ("acceptance.pdf", samples.PDF),
    ("psu.log", samples.LOG_UTF8), ("serials.csv", samples.CSV_GB18030), ("logs.zip", samples.ZIP),
    ("inventory.xlsx", samples.XLSX),
])
def test_real_files_of_every_allowed_kind_are_stored_byte_for_byte(ticket, engineer_api, name, content):
    response = attach(engineer_api, ticket, name=name, content=content)
    assert response.status_code == 201, response.content
    assert Path(TicketAttachment.objects.get().file.path).read_bytes() == content


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


# -- Pages ---------------------------------------------------------------------------------


def test_staff_attach_on_the_ticket_page_and_download_through_the_page(ticket, engineer, browser_client_for):
    client = browser_client_for(engineer)
    page = f"/tickets/{ticket.pk}/"

    response = client.post(f"{page}attachments/", {"file": SimpleUploadedFile("psu.log", LOG)}, follow=True)

    assert response.status_code == 200
    attachment = TicketAttachment.objects.get(ticket=ticket)
    html = response.content.decode()
    download_url = f"{page}attachments/{attachment.pk}/"
    assert "psu.log" in html and download_url in html
    assert settings.MEDIA_URL not in html  # never a public media address
    download = client.get(download_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == LOG


def test_a_refused_file_on_the_ticket_page_shows_the_message_and_stores_nothing(ticket, engineer, browser_client_for,
                                                                               settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 10
    files_before = media_files()

    response = browser_client_for(engineer).post(f"/tickets/{ticket.pk}/attachments/",
                                                 {"file": SimpleUploadedFile("psu.log", LOG)})

    assert response.status_code == 422
    errors = [e.strip() for e in response.content.decode().split('data-testid="attachment-error">')[1:]]
    assert len(errors) == 1 and str(len(LOG)) in errors[0]
    assert not TicketAttachment.objects.exists() and media_files() == files_before


def test_the_vice_president_sees_attachments_without_an_upload_form(ticket, engineer_api, make_user,
                                                                   browser_client_for):
    attach(engineer_api, ticket)
    client = browser_client_for(make_user(Role.VICE_PRESIDENT))
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "fault.png" in html and f"/tickets/{ticket.pk}/attachments/\"" not in html
    assert client.post(f"/tickets/{ticket.pk}/attachments/",
                       {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 403


def test_a_customer_attaches_in_the_portal_and_never_reaches_another_customers_files(
        ticket, make_user, browser_client_for, engineer_api):
    theirs = TicketFactory()
    their_attachment = TicketAttachment.objects.get(pk=attach(engineer_api, theirs).json()["id"])
    client = browser_client_for(make_user(Role.CUSTOMER, customer=ticket.customer))
    page = f"/portal/requests/{ticket.pk}/"

    response = client.post(f"{page}attachments/", {"file": SimpleUploadedFile("机房.jpg", JPEG)}, follow=True)

    assert response.status_code == 200
    attachment = TicketAttachment.objects.get(ticket=ticket)
    html = response.content.decode()
    assert "机房.jpg" in html
    timeline = html.split('id="timeline"')[1]
    assert "机房.jpg" in timeline  # the timeline says a file was attached
    assert b"".join(client.get(f"{page}attachments/{attachment.pk}/").streaming_content) == JPEG

    assert client.post(f"/portal/requests/{theirs.pk}/attachments/",
                       {"file": SimpleUploadedFile("x.png", PNG)}).status_code == 404
    assert client.get(f"/portal/requests/{theirs.pk}/attachments/{their_attachment.pk}/").status_code == 404
    assert client.get(f"{page}attachments/{their_attachment.pk}/").status_code == 404
    assert TicketAttachment.objects.filter(ticket=theirs).count() == 1
    # A file our engineer attached is listed without the engineer's account name.
    attach(engineer_api, ticket, name="report.pdf")
    card = client.get(page).content.decode().split('id="attachments"')[1].split('id="timeline"')[0]
    assert "report.pdf" in card and "engineer" not in card
    # The staff pages stay closed to customer users.
    assert client.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/").status_code in (403, 404)


def test_a_wrong_type_in_the_portal_shows_the_message_and_stores_nothing(ticket, make_user, browser_client_for):
    client = browser_client_for(make_user(Role.CUSTOMER, customer=ticket.customer))
    response = client.post(f"/portal/requests/{ticket.pk}/attachments/", {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert response.status_code == 422
    assert 'data-testid="attachment-error"' in response.content.decode()
    assert not TicketAttachment.objects.exists()


def test_a_renamed_program_in_the_portal_is_refused_with_the_message_and_stores_nothing(
        ticket, make_user, browser_client_for):
    files_before = media_files()
    client = browser_client_for(make_user(Role.CUSTOMER, customer=ticket.customer))
    response = client.post(f"/portal/requests/{ticket.pk}/attachments/",
                           {"file": SimpleUploadedFile("发票.pdf", samples.EXE)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="attachment-error"' in html and "not a PDF" in html.replace("&#x27;", "'")
    assert not TicketAttachment.objects.exists() and media_files() == files_before


def test_the_ticket_page_with_many_attachments_takes_a_bounded_number_of_queries(
        ticket, engineer, engineer_api, browser_client_for, django_assert_max_num_queries):
    client = browser_client_for(engineer)
    attach(engineer_api, ticket, name="first.png")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/tickets/{ticket.pk}/")
    queries_with_one = len(one)  # now: the log restarts with each request
    for n in range(6):
        attach(engineer_api, ticket, name=f"photo{n}.jpg")
    with django_assert_max_num_queries(queries_with_one):
        response = client.get(f"/tickets/{ticket.pk}/")
    assert response.content.decode().count('data-testid="attachment"') == 7


def test_the_admin_lists_attachments_and_deletes_them_through_the_service(ticket, engineer_api, admin,
                                                                          browser_client_for):
    attachment = TicketAttachment.objects.get(pk=attach(engineer_api, ticket).json()["id"])
    client = browser_client_for(admin)
    assert client.get("/admin/tickets/ticketattachment/").status_code == 200
    assert client.get("/admin/tickets/ticketattachment/add/").status_code == 403
    response = client.post(f"/admin/tickets/ticketattachment/{attachment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TicketAttachment.objects.exists()
    assert AuditLog.objects.filter(object_type="tickets.ticketattachment", action="delete").count() == 1
