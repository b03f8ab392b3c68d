"""Raw inventory data for superusers, read-only: stock changes only through `inventory.services`
(the back office and the API), which keep the ledger in step with the levels."""

from django.contrib import admin

from inventory.models import Product, StockLevel, StockMovement, Warehouse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "barcode", "price", "is_active", "reorder_point"]
    list_filter = ["is_active"]
    search_fields = ["sku", "name", "barcode"]


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "country", "priority", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["code", "name"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "warehouse",
        "on_hand",
        "allocated",
        "safety_stock",
        "bin_location",
        "updated_at",
    ]
    list_filter = ["warehouse"]
    list_select_related = ["product", "warehouse"]
    search_fields = ["product__sku", "bin_location"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "product",
        "warehouse",
        "kind",
        "on_hand_delta",
        "allocated_delta",
        "reference",
        "actor",
    ]
    list_filter = ["kind", "warehouse"]
    list_select_related = ["product", "warehouse", "actor"]
    search_fields = ["product__sku", "reference"]
    date_hierarchy = "created_at"
