"""Raw order data for superusers; states and money are read-only (services change them)."""

from django.contrib import admin

from orders.models import (
    ChannelApiKey,
    ChannelWebhookReceipt,
    Customer,
    Order,
    OrderEvent,
    OrderHold,
    OrderLine,
    SalesChannel,
)
from orders.selectors_inbox import PREVIEW_BYTES, printable


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "webhook_platform",
        "currency",
        "sla_hours",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]


@admin.register(ChannelApiKey)
class ChannelApiKeyAdmin(admin.ModelAdmin):
    list_display = ["channel", "client"]
    readonly_fields = ["channel", "client"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "phone"]
    search_fields = ["email", "last_name", "phone"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["sku", "name", "quantity", "quantity_cancelled", "unit_price", "line_total"]
    readonly_fields = fields


class OrderHoldInline(admin.TabularInline):
    model = OrderHold
    extra = 0
    can_delete = False
    fields = ["reason", "note", "placed_at", "released_at"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "channel", "external_id", "email", "status", "grand_total"]
    list_filter = ["status", "channel", "payment_status"]
    search_fields = ["number", "external_id", "email"]
    inlines = [OrderLineInline, OrderHoldInline]
    readonly_fields = [
        *("number", "status", "payment_status", "fulfillment_status", "subtotal"),
        *("shipping_total", "tax_total", "discount_total", "grand_total", "currency"),
        *("channel", "customer", "shipping_address", "billing_address", "original_order"),
        *("placed_at", "ship_by", "cancelled_at", "payment_request"),
    ]

    def has_add_permission(self, request):
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["order", "type", "message", "actor_label", "created_at"]
    list_filter = ["type"]
    readonly_fields = ["order", "type", "message", "data", "actor", "actor_label", "created_at"]


@admin.register(ChannelWebhookReceipt)
class ChannelWebhookReceiptAdmin(admin.ModelAdmin):
    """Every marketplace delivery as received; failed ones carry the reason."""

    list_display = ["received_at", "channel", "source", "external_id", "outcome", "order"]
    list_filter = ["outcome", "source", "channel"]
    search_fields = ["external_id", "webhook_id"]
    readonly_fields = [
        *("channel", "source", "webhook_id", "topic", "external_id", "raw_body_text", "payload"),
        *("outcome", "error", "order", "conflicts_with", "received_at"),
        *("replayed_at", "replayed_by", "body_sha256"),
    ]
    exclude = ["raw_body"]

    def get_queryset(self, request):
        # A body may be 20 MB: the list never loads them (the page of one receipt does).
        return super().get_queryset(request).defer("raw_body", "payload")

    @admin.display(description="Raw body (start)")
    def raw_body_text(self, receipt) -> str:
        return printable(bytes(receipt.raw_body[:PREVIEW_BYTES]))

    def has_add_permission(self, request):
        return False
