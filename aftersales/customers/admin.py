from django.contrib import admin

from aftersales.customers.models import (
    Contact,
    Contract,
    ContractDocument,
    ContractItem,
    Customer,
    Site,
)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "city", "address"]
    show_change_link = True


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "phone", "email", "is_primary"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tier", "region"]
    list_filter = ["tier", "region"]
    search_fields = ["code", "name", "address"]
    inlines = [SiteInline, ContactInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "city", "address"]
    list_select_related = ["customer"]
    search_fields = ["name", "address", "city", "customer__name"]
    autocomplete_fields = ["customer"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "site", "phone", "email", "is_primary"]
    list_select_related = ["customer", "site"]
    search_fields = ["name", "phone", "email", "customer__name"]
    autocomplete_fields = ["customer", "site"]


class ContractItemInline(admin.TabularInline):
    model = ContractItem
    extra = 0
    autocomplete_fields = ["product"]


class ContractDocumentInline(admin.TabularInline):
    model = ContractDocument
    extra = 0
    fields = ["title", "file", "size", "content_type"]
    readonly_fields = ["size", "content_type"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "customer", "status", "signed_on", "accepted_on", "service_calendar"]
    list_filter = ["status", "service_calendar"]
    list_select_related = ["customer"]
    search_fields = ["number", "title", "customer__name"]
    autocomplete_fields = ["customer", "sales_owner"]
    date_hierarchy = "signed_on"
    inlines = [ContractItemInline, ContractDocumentInline]


@admin.register(ContractItem)
class ContractItemAdmin(admin.ModelAdmin):
    list_display = ["contract", "product", "quantity"]
    list_select_related = ["contract", "product"]
    search_fields = ["contract__number", "product__model"]
    autocomplete_fields = ["contract", "product"]


@admin.register(ContractDocument)
class ContractDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "contract", "size", "content_type", "created_at"]
    list_select_related = ["contract"]
    search_fields = ["title", "contract__number"]
    readonly_fields = ["size", "content_type", "uploaded_by"]
    autocomplete_fields = ["contract"]
