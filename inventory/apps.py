from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from inventory.demo import seed_inventory
        from inventory.selectors_backoffice import low_stock_count
        from inventory.views.common import PRODUCT_ACTIONS, STOCK_KEEPERS, STOCK_VIEWERS
        from oms.demo import register_demo_seeder
        from oms.navigation import NavItem, WorkCount, register

        register_demo_seeder("inventory", seed_inventory)

        register(
            NavItem(
                key="inventory_products",
                label="Products",
                url_name="inventory:product_list",
                roles=STOCK_VIEWERS,
                description="Find a product by SKU, name or barcode; its stock in each "
                "warehouse and every movement.",
                order=300,
                active_for=(
                    "inventory:product_detail",
                    "inventory:product_settings_form",
                    *(f"inventory:product_{action}" for action in PRODUCT_ACTIONS),
                ),
            ),
            NavItem(
                key="inventory_receive",
                label="Receive stock",
                url_name="inventory:receive",
                roles=STOCK_KEEPERS,
                description="Scan a delivery into a warehouse and book it under its PO number.",
                order=310,
            ),
            NavItem(
                key="inventory_ledger",
                label="Stock ledger",
                url_name="inventory:ledger",
                roles=STOCK_VIEWERS,
                description="Every stock movement: who, when, why. Filter and export as CSV.",
                order=320,
                active_for=("inventory:ledger_export",),
            ),
            NavItem(
                key="inventory_low_stock",
                label="Low stock",
                url_name="inventory:low_stock",
                roles=STOCK_VIEWERS,
                description="Products at or below their reorder point, with how many to reorder.",
                order=330,
                work=WorkCount(
                    count=low_stock_count,
                    one="product at or below its reorder point",
                    many="products at or below their reorder point",
                ),
            ),
            NavItem(
                key="inventory_warehouses",
                label="Warehouses",
                url_name="inventory:warehouse_list",
                roles=STOCK_VIEWERS,
                description="Each warehouse with the units it holds and its stock levels.",
                order=340,
                active_for=("inventory:warehouse_detail",),
            ),
            NavItem(
                key="inventory_count_import",
                label="Count import",
                url_name="inventory:count_import",
                roles=STOCK_KEEPERS,
                description="Upload a stock count as CSV, check every row, then apply it at once.",
                order=350,
                active_for=("inventory:count_import_apply",),
            ),
        )
