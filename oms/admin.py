from django.contrib import admin

from oms.login import ThrottledAdminAuthenticationForm
from oms.models import (
    ApiClient,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WorkerHeartbeat,
)

# The admin's sign-in gets the same brakes on password guessing as /login/.
admin.site.login_form = ThrottledAdminAuthenticationForm


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Raw rows for superusers; changes go through the Webhooks screen and its services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "description", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "event", "coalesce_key", "status", "created_at", "dispatched_at"]
    list_filter = ["status", "event"]
    search_fields = ["coalesce_key"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status_code", "error", "duration_ms", "response_snippet"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["endpoint__url", "event__coalesce_key"]
    inlines = [WebhookAttemptInline]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "delivery", "attempted_at", "status_code", "duration_ms", "error"]
    list_select_related = ["delivery__event"]
