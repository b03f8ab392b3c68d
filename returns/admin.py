"""Raw return data for superusers: everything read-only (returns change only through services)."""

from django.contrib import admin

from oms.admin import ReadOnlyAdmin
from returns.models import ReturnLine, ReturnRequest


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = ["order_line", "quantity", "reason", "quantity_sellable", "quantity_damaged"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = [
        *("number", "order", "status", "resolution", "label_status", "refund_amount"),
        *("replacement_order", "created_at", "closed_at"),
    ]
    list_filter = ["status", "resolution", "label_status"]
    search_fields = ["number", "order__number", "tracking_number", "replacement_order__number"]
    list_select_related = ["order", "replacement_order"]
    inlines = [ReturnLineInline]
