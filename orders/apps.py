from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from inventory.backorders import BackorderSource
        from inventory.backorders import register as register_backorders
        from oms.demo import register_demo_seeder
        from orders import receivers  # noqa: F401  (connects the signal receivers)
        from orders.demo import seed_orders
        from orders.navigation import register_navigation
        from orders.selectors_backorders import backorder_demand
        from orders.services import orders_reprocess_backordered

        register_navigation()
        register_demo_seeder("orders", seed_orders)
        register_backorders(
            BackorderSource(demand=backorder_demand, release=orders_reprocess_backordered)
        )
