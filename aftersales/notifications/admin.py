from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.notifications.models import Notification, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Read and switch robots here; their address and secret are changed on the app's own
    page, which never shows them (decision 0014)."""

    list_display = ["name", "kind", "active", "group", "levels", "masked_url"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    exclude = ["url", "secret"]
    readonly_fields = ["masked_url", "secret_state"]

    @admin.display(description=_("URL"))
    def masked_url(self, obj) -> str:
        return obj.get_url_display()

    @admin.display(description=_("signing secret"))
    def secret_state(self, obj) -> str:
        return obj.get_secret_display()

    def has_add_permission(self, request) -> bool:
        return False  # an address is required, and it is entered on the app's page


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "channel", "recipient", "subject", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "dedup_key"]
    raw_id_fields = ["ticket", "endpoint"]
