from django.contrib import admin

from aftersales.assets.models import (
    Component,
    Equipment,
    EquipmentChange,
    Product,
    WarrantyCard,
    WarrantyNotice,
    WarrantyTerm,
)


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["model", "name", "category", "manufacturer", "discontinued"]
    list_filter = ["category", "discontinued"]
    search_fields = ["model", "name", "manufacturer"]
    inlines = [ComponentInline]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "product", "is_core"]
    list_select_related = ["product"]
    search_fields = ["code", "name", "product__model"]
    autocomplete_fields = ["product"]


class EquipmentChangeInline(admin.TabularInline):
    """History is written by the equipment service; read-only here."""

    model = EquipmentChange
    extra = 0
    fields = ["changed_at", "kind", "before", "after", "changed_by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["serial", "product", "customer", "site", "status", "software_version", "accepted_on"]
    list_filter = ["status", "product__category", "customer__region"]
    list_select_related = ["product", "customer", "site"]
    search_fields = ["serial", "product__model", "site__name", "customer__name"]
    autocomplete_fields = ["product", "site", "contract"]
    readonly_fields = ["customer"]
    inlines = [EquipmentChangeInline]


@admin.register(EquipmentChange)
class EquipmentChangeAdmin(admin.ModelAdmin):
    list_display = ["equipment", "kind", "changed_at", "changed_by", "note"]
    list_filter = ["kind"]
    list_select_related = ["equipment__product", "changed_by"]
    readonly_fields = ["equipment", "kind", "before", "after", "changed_at", "changed_by"]


@admin.register(WarrantyTerm)
class WarrantyTermAdmin(admin.ModelAdmin):
    list_display = ["contract_item", "component", "months", "description"]
    list_select_related = ["contract_item__contract", "contract_item__product", "component"]
    search_fields = ["contract_item__contract__number", "component__name", "description"]
    autocomplete_fields = ["contract_item", "component"]


@admin.register(WarrantyCard)
class WarrantyCardAdmin(admin.ModelAdmin):
    list_display = ["number", "equipment", "issued_on", "issued_by"]
    list_select_related = ["equipment__product", "issued_by"]
    search_fields = ["number", "equipment__serial"]
    autocomplete_fields = ["equipment"]
    date_hierarchy = "issued_on"


@admin.register(WarrantyNotice)
class WarrantyNoticeAdmin(admin.ModelAdmin):
    list_display = ["equipment", "term", "days_before", "ends_on", "recipient_email", "sent_at"]
    list_filter = ["days_before"]
    list_select_related = ["equipment__product", "term"]
