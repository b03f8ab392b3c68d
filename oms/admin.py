from django.contrib import admin

from oms.models import ApiClient, WorkerHeartbeat


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "key_prefix"]
    readonly_fields = ["key_prefix", "key_hash", "created_at", "updated_at", "last_used_at"]

    def has_add_permission(self, request):
        # Keys are issued from the API keys screen or `create_api_key`, which show the key once.
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "beat_at"]

    def has_change_permission(self, request, obj=None):
        return False
