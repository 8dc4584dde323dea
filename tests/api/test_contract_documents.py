"""A contract's documents and items through the API."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.customers.models import ContractDocument
from tests.factories import (
    ComponentFactory,
    ContractFactory,
    ContractItemFactory,
    ProductFactory,
    WarrantyTermFactory,
)

PDF = b"%PDF-1.4\n% a tiny test document\n"


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def upload(client, contract, *, title="验收报告", name="acceptance.pdf", content=PDF):
    return client.post(f"/api/v1/contracts/{contract.pk}/documents",
                       {"title": title, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def contract(db):
    return ContractFactory()


@pytest.fixture
def sales_client(make_user, api_client_for):
    return api_client_for(make_user(Role.SALES))


def test_upload_list_download_and_delete_a_document(contract, sales_client, manager, api_client_for):
    response = upload(sales_client, contract)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["filename"], body["size"], body["content_type"]) == (
        "验收报告", "acceptance.pdf", len(PDF), "application/pdf")
    document = ContractDocument.objects.get(pk=body["id"])
    assert Path(document.file.path).read_bytes() == PDF
    assert AuditLog.objects.filter(object_type="customers.contractdocument", action="create").count() == 1

    listed = sales_client.get(f"/api/v1/contracts/{contract.pk}/documents").json()
    assert [d["id"] for d in listed] == [document.pk]

    download = sales_client.get(f"/api/v1/contracts/{contract.pk}/documents/{document.pk}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    # Sales may add documents but not delete them; the service manager may.
    assert sales_client.delete(f"/api/v1/contracts/{contract.pk}/documents/{document.pk}").status_code == 403
    assert ContractDocument.objects.filter(pk=document.pk).exists()

    deleted = api_client_for(manager).delete(f"/api/v1/contracts/{contract.pk}/documents/{document.pk}")
    assert deleted.status_code == 204
    assert not ContractDocument.objects.filter(pk=document.pk).exists()
    assert AuditLog.objects.filter(object_type="customers.contractdocument", action="delete").count() == 1


def test_deleting_a_document_removes_its_file_once_committed(contract, manager, api_client_for,
                                                             django_capture_on_commit_callbacks):
    client = api_client_for(manager)
    document = ContractDocument.objects.get(pk=upload(client, contract).json()["id"])
    path = Path(document.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/contracts/{contract.pk}/documents/{document.pk}").status_code == 204

    assert not path.exists()


@override_settings(DOCUMENT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_and_nothing_is_written(contract, sales_client):
    files_before = media_files()

    response = upload(sales_client, contract, content=b"x" * 1001)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert "1000" in response.json()["detail"][0]["msg"]
    assert not ContractDocument.objects.exists()
    assert media_files() == files_before


@pytest.mark.parametrize("name", ["setup.exe", "notes.txt", "no_suffix", "report.pdf.sh"])
def test_a_disallowed_file_type_is_refused_and_nothing_is_written(contract, sales_client, name):
    files_before = media_files()

    response = upload(sales_client, contract, name=name)

    assert response.status_code == 422
    assert "file" in response.json()["detail"][0]["loc"]
    assert not ContractDocument.objects.exists()
    assert not AuditLog.objects.exists()
    assert media_files() == files_before


@pytest.mark.parametrize(("data", "field"), [({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({}, "file")])
def test_a_missing_title_or_file_names_the_field(contract, sales_client, data, field):
    payload = {"title": "合同扫描件", "file": SimpleUploadedFile("scan.pdf", PDF)}
    payload.update(data)
    if not data:
        payload.pop("file")

    response = sales_client.post(f"/api/v1/contracts/{contract.pk}/documents", payload)

    assert response.status_code == 422
    assert field in {str(p) for item in response.json()["detail"] for p in item["loc"]}
    assert not ContractDocument.objects.exists()


def test_a_role_without_the_permission_cannot_upload(contract, make_user, api_client_for):
    dispatcher = api_client_for(make_user(Role.DISPATCHER))
    assert dispatcher.get(f"/api/v1/contracts/{contract.pk}/documents").status_code == 200
    assert upload(dispatcher, contract).status_code == 403
    assert not ContractDocument.objects.exists()


def test_customer_users_read_only_their_own_contracts_documents(make_user, api_client_for, manager):
    customer_user = make_user(Role.CUSTOMER)
    own, other = ContractFactory(customer=customer_user.customer), ContractFactory()
    staff = api_client_for(manager)
    own_doc = upload(staff, own).json()["id"]
    other_doc = upload(staff, other).json()["id"]
    client = api_client_for(customer_user)

    assert [d["id"] for d in client.get(f"/api/v1/contracts/{own.pk}/documents").json()] == [own_doc]
    assert client.get(f"/api/v1/contracts/{own.pk}/documents/{own_doc}/file").status_code == 200
    assert client.get(f"/api/v1/contracts/{other.pk}/documents").status_code == 404
    assert client.get(f"/api/v1/contracts/{other.pk}/documents/{other_doc}/file").status_code == 404
    # Asking for another contract's document under one's own contract finds nothing either.
    assert client.get(f"/api/v1/contracts/{own.pk}/documents/{other_doc}/file").status_code == 404
    assert upload(client, other).status_code == 404
    assert upload(client, own).status_code == 403
    assert client.delete(f"/api/v1/contracts/{other.pk}/documents/{other_doc}").status_code == 404
    assert client.delete(f"/api/v1/contracts/{own.pk}/documents/{own_doc}").status_code == 403
    assert ContractDocument.objects.count() == 2


def test_document_list_query_count_does_not_grow(contract, manager, api_client_for, django_assert_max_num_queries):
    client = api_client_for(manager)
    for n in range(2):
        upload(client, contract, title=f"文件{n}")
    with django_assert_max_num_queries(6):
        assert len(client.get(f"/api/v1/contracts/{contract.pk}/documents").json()) == 2
    for n in range(10):
        upload(client, contract, title=f"更多文件{n}")
    with django_assert_max_num_queries(6):
        assert len(client.get(f"/api/v1/contracts/{contract.pk}/documents").json()) == 12


# -- items and warranty terms --------------------------------------------------------------------

def test_contract_items_come_with_their_warranty_terms(contract, manager, api_client_for):
    product = ProductFactory(model="NGFW-6000", name="下一代防火墙")
    item = ContractItemFactory(contract=contract, product=product, quantity=4)
    core_unit = ComponentFactory(product=product, name="核心主机")
    whole = WarrantyTermFactory(contract_item=item, months=24)
    core = WarrantyTermFactory(contract_item=item, component=core_unit, months=72)
    ContractItemFactory()  # another contract's item is not listed

    response = api_client_for(manager).get(f"/api/v1/contracts/{contract.pk}/items")

    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["id"], listed["product_model"], listed["quantity"]) == (item.pk, "NGFW-6000", 4)
    terms = {t["id"]: (t["component_name"], t["months"]) for t in listed["warranty_terms"]}
    assert terms == {whole.pk: (None, 24), core.pk: ("核心主机", 72)}


def test_contract_items_query_count_does_not_grow(contract, manager, api_client_for, django_assert_max_num_queries):
    client = api_client_for(manager)
    client.get(f"/api/v1/contracts/{contract.pk}/items")
    for _ in range(2):
        WarrantyTermFactory(contract_item=ContractItemFactory(contract=contract), component=ComponentFactory())
    with django_assert_max_num_queries(7):
        assert len(client.get(f"/api/v1/contracts/{contract.pk}/items").json()) == 2
    for _ in range(10):
        WarrantyTermFactory(contract_item=ContractItemFactory(contract=contract), component=ComponentFactory())
    with django_assert_max_num_queries(7):
        assert len(client.get(f"/api/v1/contracts/{contract.pk}/items").json()) == 12


def test_customer_users_see_only_their_own_contracts_items(make_user, api_client_for):
    customer_user = make_user(Role.CUSTOMER)
    own, other = ContractFactory(customer=customer_user.customer), ContractFactory()
    ContractItemFactory(contract=own)
    ContractItemFactory(contract=other)
    client = api_client_for(customer_user)

    assert len(client.get(f"/api/v1/contracts/{own.pk}/items").json()) == 1
    assert client.get(f"/api/v1/contracts/{other.pk}/items").status_code == 404


def test_a_failure_after_the_file_was_stored_leaves_no_file_behind(contract, manager, monkeypatch):
    from aftersales.customers import services

    def audit_fails(**kwargs):
        raise RuntimeError("audit insert failed")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    files_before = media_files()

    with pytest.raises(RuntimeError):
        services.contract_document_add(actor=manager, contract=contract, title="合同",
                                       file=SimpleUploadedFile("contract.pdf", PDF))

    assert not ContractDocument.objects.exists()
    assert media_files() == files_before
