from django.contrib import admin

from aftersales.tickets.models import (
    Escalation,
    GradeChange,
    RoutingRule,
    ServiceGroup,
    SlaPause,
    SlaTarget,
    Ticket,
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


admin.site.register([TicketEvent, SlaPause, Escalation])
