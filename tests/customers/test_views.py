"""Pages of customers, sites, contacts and contracts (generic cases), contract documents."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.customers.forms import ContactForm
from aftersales.customers.models import Contact, Contract, ContractDocument, Customer, Site
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ContractItemFactory,
    CustomerFactory,
    CustomerUserFactory,
    SiteFactory,
    UserFactory,
    WarrantyTermFactory,
)
from tests.pages import PageCrudCase, logged_in, page_text


class TestCustomerPages(PageCrudCase):
    model = Customer
    url_prefix = "customers:customer"
    edit_data = {"name": "华东电力设备有限公司"}
    bad_data = [({"code": "bad code!"}, "Use letters, digits"), ({"name": ""}, "This field is required.")]

    def make(self, customer):
        return customer

    def create_data(self, customer):
        return {"code": "NEW-01", "name": "新客户", "tier": "key", "region": "south"}

    def row_text(self, obj):
        return obj.name

    @pytest.mark.django_db
    def test_detail_shows_sites_contacts_contracts_and_equipment_count(self):
        from tests.factories import EquipmentFactory

        site = SiteFactory(name="Pudong DC")
        customer = site.customer
        ContactFactory(customer=customer, name="Wang Wei")
        EquipmentFactory(site=site)
        EquipmentFactory(site=site)
        response = logged_in(UserFactory(role=Role.SERVICE_DESK)).get(customer.get_absolute_url())
        text = page_text(response)
        assert "Pudong DC" in text and "Wang Wei" in text
        assert response.context["equipment_count"] == 2
        assert [c.customer_id for c in response.context["contracts"]] == [customer.pk, customer.pk]

    @pytest.mark.django_db
    def test_a_customer_still_in_use_is_kept_with_the_reason(self):
        site = SiteFactory()
        client = logged_in(UserFactory(role=Role.SERVICE_MANAGER))
        response = client.post(reverse("customers:customer_delete", args=[site.customer.pk]), follow=True)
        assert Customer.objects.filter(pk=site.customer.pk).exists()
        assert "still used by" in page_text(response)


class TestSitePages(PageCrudCase):
    model = Site
    url_prefix = "customers:site"
    edit_data = {"city": "北京"}
    bad_data = [({"latitude": "200"}, "Ensure this value is less than or equal to 90"),
                ({"name": ""}, "This field is required.")]

    def make(self, customer):
        return SiteFactory(customer=customer)

    def create_data(self, customer):
        return {"customer": customer.pk, "name": "Pudong DC", "address": "上海市浦东新区", "city": "上海"}


class TestContactPages(PageCrudCase):
    model = Contact
    url_prefix = "customers:contact"
    edit_data = {"title": "IT manager"}
    bad_data = [({"email": "not-an-address"}, "Enter a valid email address."),
                ({"phone": "", "email": ""}, "Give a phone number or an e-mail address.")]

    def make(self, customer):
        return ContactFactory(customer=customer)

    def create_data(self, customer):
        return {"customer": customer.pk, "name": "Li Na", "phone": "13800001111", "email": "li.na@example.com"}

    @pytest.mark.django_db
    def test_site_of_another_customer_is_refused(self):
        customer, other_site = CustomerFactory(), SiteFactory()
        client = logged_in(UserFactory(role=Role.SERVICE_DESK))  # service desk may add contacts
        response = client.post(reverse("customers:contact_add"),
                               {**self.create_data(customer), "site": other_site.pk})
        assert "The site belongs to another customer." in page_text(response)
        assert not Contact.objects.exists()

    @pytest.mark.django_db
    def test_form_offers_only_the_users_own_sites(self):
        user = CustomerUserFactory()
        own = SiteFactory(customer=user.customer)
        SiteFactory()
        form = ContactForm(user=user)
        assert list(form.fields["site"].queryset) == [own]
        assert list(form.fields["customer"].queryset) == [user.customer]


class TestContractPages(PageCrudCase):
    model = Contract
    url_prefix = "customers:contract"
    edit_data = {"title": "运维服务合同"}
    bad_data = [({"accepted_on": "2024-01-01"}, "Acceptance cannot come before signing."),
                ({"number": "has space"}, "Use letters, digits")]

    def make(self, customer):
        return ContractFactory(customer=customer)

    def create_data(self, customer):
        return {"customer": customer.pk, "number": "HT-NEW-1", "title": "售后服务合同", "status": "active",
                "signed_on": "2025-01-10", "accepted_on": "2025-02-01", "service_calendar": "7x24",
                "performance_deposit": "1000.00", "deposit_currency": "CNY"}

    @pytest.mark.django_db
    def test_detail_shows_items_with_their_warranty_terms(self):
        item = ContractItemFactory()
        WarrantyTermFactory(contract_item=item, months=24)
        response = logged_in(UserFactory(role=Role.SALES)).get(item.contract.get_absolute_url(),
                                                                 HTTP_ACCEPT_LANGUAGE="en")
        text = page_text(response)
        assert item.product.model in text
        assert "Whole system: 24 months" in text


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_document_upload_and_download_through_the_scope_check():
    contract = ContractFactory()
    client = logged_in(UserFactory(role=Role.SALES))
    response = client.post(reverse("customers:contract_document_upload", args=[contract.pk]),
                           {"title": "Signed contract", "file": SimpleUploadedFile("contract.pdf", PDF)})
    assert response.status_code == 302
    document = ContractDocument.objects.get()
    assert document.size == len(PDF)
    assert AuditLog.objects.filter(object_type="customers.contractdocument", action="create").exists()
    download = client.get(reverse("customers:contract_document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    # The owner's customer user may download it; another customer's user is told it does not exist.
    own = CustomerUserFactory(customer=contract.customer)
    assert logged_in(own).get(reverse("customers:contract_document_download", args=[document.pk])).status_code == 200
    other = CustomerUserFactory()
    assert logged_in(other).get(reverse("customers:contract_document_download", args=[document.pk])).status_code == 404
    # Media files have no public URL.
    assert client.get(f"/media/{document.file.name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), [
    ("setup.exe", b"MZ", "File type .exe is not allowed"),
    ("big.pdf", PDF * 10, "the limit is 50 bytes"),
])
def test_refused_upload_shows_the_error_and_stores_nothing(settings, name, content, message):
    settings.DOCUMENT_MAX_BYTES = 50
    contract = ContractFactory()
    client = logged_in(UserFactory(role=Role.SALES))
    response = client.post(reverse("customers:contract_document_upload", args=[contract.pk]),
                           {"title": "Bad", "file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in page_text(response)
    assert not ContractDocument.objects.exists()
    assert not AuditLog.objects.filter(object_type="customers.contractdocument").exists()


@pytest.mark.django_db
def test_upload_needs_the_permission_and_the_scope():
    contract = ContractFactory()
    upload = {"title": "x", "file": SimpleUploadedFile("a.pdf", PDF)}
    url = reverse("customers:contract_document_upload", args=[contract.pk])
    assert logged_in(UserFactory(role=Role.DISPATCHER)).post(url, upload).status_code == 403
    upload["file"].seek(0)
    assert logged_in(CustomerUserFactory()).post(url, upload).status_code == 404
    assert not ContractDocument.objects.exists()


@pytest.mark.django_db
def test_deleting_a_document_on_its_page_removes_the_stored_file(django_capture_on_commit_callbacks):
    contract = ContractFactory()
    client = logged_in(UserFactory(role=Role.SERVICE_MANAGER))
    client.post(reverse("customers:contract_document_upload", args=[contract.pk]),
                {"title": "Acceptance report", "file": SimpleUploadedFile("acceptance.pdf", PDF)})
    document = ContractDocument.objects.get()
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:contractdocument_delete", args=[document.pk]))
    assert response.status_code == 302
    assert not ContractDocument.objects.exists()
    assert not storage.exists(name)
    assert AuditLog.objects.filter(object_type="customers.contractdocument", action="delete").exists()
