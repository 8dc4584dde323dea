from django.contrib import admin

from aftersales.notifications.models import Notification, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "group", "levels"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "channel", "recipient", "subject", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "dedup_key"]
    raw_id_fields = ["ticket", "endpoint"]
