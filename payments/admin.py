"""Raw payment data for superusers: everything read-only (money changes only through services)."""

from django.contrib import admin

from payments.models import Payment, PaymentTransaction, SandboxLedgerEntry, SandboxRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PaymentTransactionInline(admin.TabularInline):
    model = PaymentTransaction
    extra = 0
    can_delete = False
    fields = [
        *("kind", "amount", "status", "reference", "reason", "gateway_reference", "error"),
        *("attempts", "created_at", "completed_at"),
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        *("id", "order", "gateway", "method", "status", "currency", "amount"),
        *("amount_authorized", "amount_captured", "amount_refunded", "created_at"),
    ]
    list_filter = ["status", "gateway"]
    search_fields = ["order__number", "authorization_reference", "reference"]
    list_select_related = ["order"]
    inlines = [PaymentTransactionInline]


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "kind", "amount", "status", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["idempotency_key", "gateway_reference", "reference"]


@admin.register(SandboxLedgerEntry)
class SandboxLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["reference", "operation", "amount", "currency", "approved", "created_at"]
    list_filter = ["operation", "approved"]
    search_fields = ["reference", "authorization", "idempotency_key"]


@admin.register(SandboxRequest)
class SandboxRequestAdmin(ReadOnlyAdmin):
    list_display = ["operation", "amount", "currency", "outcome", "replayed", "received_at"]
    list_filter = ["operation", "outcome", "replayed"]
    search_fields = ["idempotency_key"]
