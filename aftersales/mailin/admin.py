from django.contrib import admin

from aftersales.mailin.models import InboundMail


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Read-only: mails change only through the intake and the triage pages (audited)."""

    list_display = ["received_at", "from_address", "subject", "status", "reason", "via", "ticket"]
    list_filter = ["status", "reason", "via"]
    search_fields = ["from_address", "subject", "message_id"]
    date_hierarchy = "received_at"
    exclude = ["raw"]
    list_select_related = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
