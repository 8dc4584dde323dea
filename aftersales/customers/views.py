"""Pages for customers, sites, contacts and contracts (with items and documents)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.assets.models import Equipment, WarrantyTerm
from aftersales.core.generic import Column, ObjectDetailView, ObjectViewSet, add_validation_errors
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers import services as customer_services
from aftersales.customers.filters import (
    ContactFilterSet,
    ContractFilterSet,
    CustomerFilterSet,
    SiteFilterSet,
)
from aftersales.customers.forms import (
    ContactForm,
    ContractDocumentForm,
    ContractForm,
    ContractItemForm,
    CustomerForm,
    SiteForm,
)
from aftersales.customers.models import (
    Contact,
    Contract,
    ContractDocument,
    ContractItem,
    Customer,
    Site,
)


def all_customers(user):
    return Customer.objects.only("id", "code", "name")


def customer_detail_context(request, customer):
    user = request.user
    return {
        "sites": scoped(customer.sites.annotate(equipment_count=Count("equipment")), user) if user.has_perm("customers.view_site") else None,
        "contacts": scoped(customer.contacts.select_related("site"), user) if user.has_perm("customers.view_contact") else None,
        "contracts": scoped(customer.contracts.all(), user) if user.has_perm("customers.view_contract") else None,
        "equipment_count": scoped(Equipment.objects.filter(customer=customer), user).count()
        if user.has_perm("assets.view_equipment") else None,
    }


class CustomerViews(ObjectViewSet):
    model = Customer
    filterset_class = CustomerFilterSet
    form_class = CustomerForm
    columns = [Column("code", link=True), Column("name", link=True), Column("tier", priority=2),
               Column("region", priority=2), Column("address", order_by=False, priority=3)]
    detail_fields = ["code", "name", "tier", "region", "address", "notes"]
    detail_context = customer_detail_context


def site_detail_context(request, site):
    user = request.user
    return {
        "equipment": scoped(site.equipment.select_related("product", "contract"), user)
        if user.has_perm("assets.view_equipment") else None,
        "contacts": scoped(site.contacts.all(), user) if user.has_perm("customers.view_contact") else None,
    }


class SiteViews(ObjectViewSet):
    model = Site
    queryset = Site.objects.select_related("customer")
    filterset_class = SiteFilterSet
    filter_choices = {"customer": all_customers}
    form_class = SiteForm
    columns = [Column("name", link=True), Column("customer"), Column("city", priority=2),
               Column("address", order_by=False, priority=3)]
    detail_fields = ["customer", "name", "address", "city", "latitude", "longitude"]
    detail_context = site_detail_context


class ContactViews(ObjectViewSet):
    model = Contact
    queryset = Contact.objects.select_related("customer", "site")
    filterset_class = ContactFilterSet
    filter_choices = {"customer": all_customers}
    form_class = ContactForm
    columns = [Column("name", link=True), Column("customer", priority=2), Column("site", priority=3),
               Column("title", priority=3), Column("phone"), Column("email", priority=2), Column("is_primary", priority=2)]
    detail_fields = ["customer", "site", "name", "title", "phone", "email", "is_primary"]


def contract_detail_context(request, contract):
    user = request.user
    items = scoped(contract.items.select_related("product"), user)
    terms = scoped(WarrantyTerm.objects.filter(contract_item__contract=contract).select_related("component"), user)
    terms_by_item: dict[int, list[WarrantyTerm]] = {}
    for term in terms:
        terms_by_item.setdefault(term.contract_item_id, []).append(term)
    for item in items:
        item.terms = terms_by_item.get(item.pk, [])
    can_see_documents = user.has_perm("customers.view_contractdocument")
    return {
        "items": items,
        "documents": scoped(contract.documents.all(), user) if can_see_documents else None,
        "document_form": ContractDocumentForm(user=user) if user.has_perm("customers.add_contractdocument") else None,
        "equipment_count": scoped(contract.equipment.all(), user).count() if user.has_perm("assets.view_equipment") else None,
    }


class ContractViews(ObjectViewSet):
    model = Contract
    queryset = Contract.objects.select_related("customer", "sales_owner")
    filterset_class = ContractFilterSet
    filter_choices = {"customer": all_customers}
    form_class = ContractForm
    columns = [Column("number", link=True), Column("title", priority=3), Column("customer"), Column("status"),
               Column("signed_on", priority=3), Column("accepted_on", priority=2), Column("service_calendar", priority=3)]
    detail_fields = ["number", "title", "customer", "status", "signed_on", "accepted_on", "ends_on",
                     "service_calendar", "performance_deposit", "deposit_currency", "sales_owner"]
    detail_context = contract_detail_context


class ContractItemViews(ObjectViewSet):
    """Contract lines are shown on their contract's page; only add/edit/delete pages here."""

    model = ContractItem
    queryset = ContractItem.objects.select_related("contract", "product")
    form_class = ContractItemForm
    actions = ("add", "edit", "delete")

    @staticmethod
    def success_url(item):
        return item.contract.get_absolute_url()


class ContractDocumentViews(ObjectViewSet):
    model = ContractDocument
    queryset = ContractDocument.objects.select_related("contract")
    actions = ("delete",)
    delete = staticmethod(customer_services.contract_document_delete)

    @staticmethod
    def success_url(document):
        return document.contract.get_absolute_url()


@require_POST
def contract_document_upload(request, pk):
    """Permission: customers.add_contractdocument. A refused file (type, size) shows the
    field error on the contract page and nothing is stored."""
    contract = get_scoped_or_404(Contract.objects.select_related("customer"), request.user, pk=pk)
    if not request.user.has_perm("customers.add_contractdocument"):
        raise PermissionDenied
    form = ContractDocumentForm(request.POST, request.FILES, instance=ContractDocument(contract=contract), user=request.user)
    if form.is_valid():
        try:
            customer_services.contract_document_add(actor=request.user, contract=contract,
                                                    title=form.cleaned_data["title"], file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("The document was uploaded."))
            return HttpResponseRedirect(contract.get_absolute_url())
    # Show the contract page again with the bound form, so the user sees why the file was refused.
    page = ObjectDetailView(model=Contract, queryset=ContractViews.queryset, fields=ContractViews.detail_fields,
                            actions=ContractViews.actions)
    context = {**page.meta_context(request), "object": contract, "field_rows": page.field_rows(contract),
               **contract_detail_context(request, contract), "document_form": form}
    return render(request, page.get_template_names(), context)


@require_GET
def contract_document_download(request, pk):
    """Permission: customers.view_contractdocument. Files are served only through this view,
    after the scope check; media files have no public URL."""
    document = get_scoped_or_404(ContractDocument.objects.all(), request.user, pk=pk)
    if not request.user.has_perm("customers.view_contractdocument"):
        raise PermissionDenied
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=Path(document.file.name).name,
                        content_type=document.content_type or "application/octet-stream")
