from django.contrib import admin

from aftersales.tickets.attachments import ticket_attachment_delete
from aftersales.tickets.models import (
    GradeChange,
    RoutingRule,
    ServiceGroup,
    SlaPause,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketEvent,
)


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "email"]
    search_fields = ["name"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["priority", "group", "category", "product", "region", "tier"]
    list_filter = ["group", "category", "region", "tier"]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    readonly_fields = ["warned_percent", "warning_due_at"]


class GradeChangeInline(admin.TabularInline):
    model = GradeChange
    extra = 0


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "customer", "level", "status", "group", "assignee", "clock_started_at"]
    list_filter = ["status", "level", "channel", "category", "group"]
    search_fields = ["number", "subject", "customer__name"]
    raw_id_fields = ["customer", "site", "equipment", "contact", "contract", "assignee", "created_by"]
    inlines = [SlaTargetInline, GradeChangeInline]


admin.site.register([TicketEvent, SlaPause])


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(admin.ModelAdmin):
    """Read and delete only: files are added through the ticket page or the API, which check
    type and size and write the timeline entry and the audit record."""

    list_display = ["original_name", "ticket", "size", "content_type", "uploaded_by", "uploaded_at"]
    list_select_related = ["ticket", "uploaded_by"]
    search_fields = ["original_name", "ticket__number"]
    readonly_fields = ["ticket", "file", "original_name", "size", "content_type", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        ticket_attachment_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            ticket_attachment_delete(actor=request.user, instance=obj)
