from django.contrib import admin

from aftersales.core.models import AuditLog, DataVersion, RateCounter, ScheduledJob

admin.site.site_header = admin.site.site_title = "Aftersales"


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor_name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = ["name", "interval_seconds", "next_run_at", "last_started_at", "last_finished_at", "last_worker"]
    readonly_fields = ["last_started_at", "last_finished_at", "last_worker", "last_result", "last_error"]


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    """Who is being counted now; deleting a row lets a locked-out client in again at once."""

    list_display = ["key", "window_start", "count"]
    search_fields = ["key"]
    readonly_fields = ["key", "window_start", "count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    """Read-only: database triggers change the tokens."""

    list_display = ["name", "token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
