"""Contract documents are checked by content, not only by name: a program or a web page
renamed to ".pdf" is refused on the upload page and through the API, and nothing is written."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.customers.models import ContractDocument
from tests.core import samples
from tests.factories import ContractFactory, UserFactory
from tests.pages import logged_in, page_text

RENAMED = [
    ("contract.pdf", samples.EXE, "The file's content is not a PDF."),
    ("contract.pdf", samples.HTML, "The file's content is not a PDF."),
    ("scan.jpg", samples.PNG, "The file's content is not a JPEG image."),
    ("offer.docx", samples.PDF, "The file's content is not an Office document"),
]


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Files of this module land in their own folder: none collides with another test's."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), RENAMED)
def test_the_upload_page_refuses_a_renamed_file_with_a_field_error(name, content, message):
    contract = ContractFactory()
    files_before = media_files()
    response = logged_in(UserFactory(role=Role.SALES)).post(
        reverse("customers:contract_document_upload", args=[contract.pk]),
        {"title": "Signed contract", "file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in page_text(response).replace("&#x27;", "'")
    assert response.context["form"].errors["file"]
    assert ContractDocument.objects.count() == 0
    assert not AuditLog.objects.filter(object_type="customers.contractdocument").exists()
    assert media_files() == files_before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), RENAMED)
def test_the_api_refuses_a_renamed_file_with_422_on_the_file_field(make_user, api_client_for, name, content,
                                                                    message):
    contract = ContractFactory()
    files_before = media_files()
    response = api_client_for(make_user(Role.SALES)).post(
        f"/api/v1/contracts/{contract.pk}/documents",
        {"title": "验收报告", "file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert "file" in error["loc"] and message in error["msg"]
    assert ContractDocument.objects.count() == 0
    assert not AuditLog.objects.exists()
    assert media_files() == files_before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("acceptance.pdf", samples.PDF, "application/pdf"),
    ("维保合同.docx", samples.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("equipment.xlsx", samples.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("site.png", samples.PNG, "image/png"),
    ("site.jpeg", samples.JPEG, "image/jpeg"),
])
def test_real_documents_are_stored_as_sent(make_user, api_client_for, name, content, content_type):
    contract = ContractFactory()
    response = api_client_for(make_user(Role.SALES)).post(
        f"/api/v1/contracts/{contract.pk}/documents", {"title": "x", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 201, response.content
    document = ContractDocument.objects.get()
    assert document.content_type == content_type
    assert Path(document.file.path).read_bytes() == content


@pytest.mark.django_db
def test_a_stored_document_is_not_read_again_when_its_row_is_validated_again():
    """A document stored before the content check existed (or whose file went missing) can
    still have its row saved: the check applies to files coming in."""
    contract = ContractFactory()
    document = ContractDocument(contract=contract, title="old scan",
                                file=SimpleUploadedFile("old.pdf", samples.PDF))
    document.save()
    Path(document.file.path).write_bytes(b"not a pdf any more")
    document = ContractDocument.objects.get(pk=document.pk)
    document.title = "old scan (signed)"
    document.full_clean()
