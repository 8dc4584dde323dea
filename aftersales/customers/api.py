import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from ninja import File, Form, ModelSchema, Schema, Status, UploadedFile

from aftersales.assets.models import WarrantyTerm
from aftersales.core.api import crud_router, require_perm
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers import services
from aftersales.customers.filters import (
    ContactFilterSet,
    ContractFilterSet,
    CustomerFilterSet,
    SiteFilterSet,
)
from aftersales.customers.models import (
    Contact,
    Contract,
    ContractDocument,
    ContractItem,
    Customer,
    Site,
)


class CustomerOut(ModelSchema):
    id: int

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "tier", "region", "address", "notes", "created_at", "updated_at"]


class CustomerIn(ModelSchema):
    class Meta:
        model = Customer
        fields = ["code", "name", "tier", "region", "address", "notes"]


class CustomerPatch(ModelSchema):
    class Meta:
        model = Customer
        fields = ["code", "name", "tier", "region", "address", "notes"]
        fields_optional = "__all__"


class SiteOut(ModelSchema):
    id: int

    class Meta:
        model = Site
        fields = ["id", "customer", "name", "address", "city", "latitude", "longitude", "created_at", "updated_at"]


class SiteIn(ModelSchema):
    class Meta:
        model = Site
        fields = ["customer", "name", "address", "city", "latitude", "longitude"]


class SitePatch(ModelSchema):
    class Meta:
        model = Site
        fields = ["name", "address", "city", "latitude", "longitude"]
        fields_optional = "__all__"


class ContactOut(ModelSchema):
    id: int

    class Meta:
        model = Contact
        fields = ["id", "customer", "site", "name", "title", "phone", "email", "is_primary", "created_at", "updated_at"]


class ContactIn(ModelSchema):
    class Meta:
        model = Contact
        fields = ["customer", "site", "name", "title", "phone", "email", "is_primary"]


class ContactPatch(ModelSchema):
    class Meta:
        model = Contact
        fields = ["site", "name", "title", "phone", "email", "is_primary"]
        fields_optional = "__all__"


CONTRACT_FIELDS = ["number", "title", "status", "signed_on", "accepted_on", "ends_on", "service_calendar",
                   "performance_deposit", "deposit_currency", "sales_owner"]


class ContractOut(ModelSchema):
    id: int

    class Meta:
        model = Contract
        fields = ["id", "customer", *CONTRACT_FIELDS, "created_at", "updated_at"]


class ContractIn(ModelSchema):
    class Meta:
        model = Contract
        fields = ["customer", *CONTRACT_FIELDS]


class ContractPatch(ModelSchema):
    class Meta:
        model = Contract
        fields = CONTRACT_FIELDS
        fields_optional = "__all__"


customers_router = crud_router(model=Customer, filterset=CustomerFilterSet, out_schema=CustomerOut,
                               create_schema=CustomerIn, update_schema=CustomerPatch, tag="customers")
sites_router = crud_router(model=Site, filterset=SiteFilterSet, out_schema=SiteOut,
                           create_schema=SiteIn, update_schema=SitePatch, tag="sites")
contacts_router = crud_router(model=Contact, filterset=ContactFilterSet, out_schema=ContactOut,
                              create_schema=ContactIn, update_schema=ContactPatch, tag="contacts")
contracts_router = crud_router(model=Contract, filterset=ContractFilterSet, out_schema=ContractOut,
                               create_schema=ContractIn, update_schema=ContractPatch, tag="contracts")


# -- Nested under a contract: its items (with warranty terms) and its documents --------------

class WarrantyTermOut(Schema):
    id: int
    component_id: int | None
    component_name: str | None = None
    months: int
    description: str

    @staticmethod
    def resolve_component_name(term) -> str | None:
        return term.component.name if term.component_id else None


class ContractItemOut(Schema):
    id: int
    contract_id: int
    product_id: int
    product_model: str
    product_name: str
    quantity: int
    description: str
    warranty_terms: list[WarrantyTermOut]

    @staticmethod
    def resolve_product_model(item) -> str:
        return item.product.model

    @staticmethod
    def resolve_product_name(item) -> str:
        return item.product.name

    @staticmethod
    def resolve_warranty_terms(item):
        return list(item.warranty_terms.all())


class ContractDocumentOut(Schema):
    id: int
    contract_id: int
    title: str
    filename: str
    size: int
    content_type: str
    uploaded_by_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_filename(document) -> str:
        return Path(document.file.name).name


VIEW_ITEMS = ("customers.view_contract", "customers.view_contractitem", "assets.view_warrantyterm")
VIEW_DOCUMENTS = ("customers.view_contract", "customers.view_contractdocument")


def scoped_contract(request, pk: int) -> Contract:
    return get_scoped_or_404(Contract.objects.all(), request.user, pk=pk)


@contracts_router.get("/{int:pk}/items", response=list[ContractItemOut], operation_id="list_contract_items",
                      summary="List a contract's items with their warranty terms",
                      description=f"Permission: {', '.join(VIEW_ITEMS)}.")
def list_contract_items(request, pk: int):
    for perm in VIEW_ITEMS:
        require_perm(request, perm)
    contract = scoped_contract(request, pk)
    return (scoped(ContractItem.objects.filter(contract=contract), request.user)
            .select_related("product").prefetch_related(Prefetch(
                "warranty_terms", queryset=WarrantyTerm.objects.select_related("component"))))


@contracts_router.get("/{int:pk}/documents", response=list[ContractDocumentOut], operation_id="list_contract_documents",
                      summary="List a contract's documents",
                      description=f"Permission: {', '.join(VIEW_DOCUMENTS)}.")
def list_contract_documents(request, pk: int):
    for perm in VIEW_DOCUMENTS:
        require_perm(request, perm)
    contract = scoped_contract(request, pk)
    return scoped(ContractDocument.objects.filter(contract=contract), request.user)


@contracts_router.post("/{int:pk}/documents", response={201: ContractDocumentOut}, operation_id="upload_contract_document",
                       summary="Upload a document to a contract",
                       description="Permission: customers.add_contractdocument. Multipart form with `title` and `file`; "
                                   f"allowed types: {', '.join(sorted(settings.DOCUMENT_ALLOWED_TYPES))}; "
                                   f"at most {settings.DOCUMENT_MAX_BYTES} bytes.")
def upload_contract_document(request, pk: int, title: Form[str], file: File[UploadedFile]):
    contract = scoped_contract(request, pk)
    require_perm(request, "customers.add_contractdocument")
    document = services.contract_document_add(actor=request.user, contract=contract, title=title, file=file)
    return Status(201, document)


@contracts_router.get("/{int:pk}/documents/{int:document_id}/file", response={200: None},
                      operation_id="download_contract_document", summary="Download a contract document's file",
                      description=f"Permission: {', '.join(VIEW_DOCUMENTS)}.")
def download_contract_document(request, pk: int, document_id: int):
    for perm in VIEW_DOCUMENTS:
        require_perm(request, perm)
    contract = scoped_contract(request, pk)
    document = get_scoped_or_404(ContractDocument.objects.filter(contract=contract), request.user, pk=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The document's file is missing.") from exc
    return FileResponse(handle, as_attachment=True, filename=Path(document.file.name).name,
                        content_type=document.content_type or "application/octet-stream")


@contracts_router.delete("/{int:pk}/documents/{int:document_id}", response={204: None},
                         operation_id="delete_contract_document", summary="Delete a contract document",
                         description="Permission: customers.delete_contractdocument.")
def delete_contract_document(request, pk: int, document_id: int):
    contract = scoped_contract(request, pk)
    document = get_scoped_or_404(ContractDocument.objects.filter(contract=contract), request.user, pk=document_id)
    require_perm(request, "customers.delete_contractdocument")
    services.contract_document_delete(actor=request.user, instance=document)
    return Status(204, None)
