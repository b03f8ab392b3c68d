from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from inventory.backorders import BackorderSource
        from inventory.backorders import register as register_backorders
        from oms.api import read_with_api_key
        from oms.demo import register_demo_seeder
        from orders import receivers  # noqa: F401  (connects the signal receivers)
        from orders.demo import seed_orders
        from orders.navigation import register_navigation
        from orders.selectors_backorders import backorder_demand
        from orders.services import orders_reprocess_backordered

        register_navigation()
        # A channel key's channel is read with the key (`orders.api.channel_of`).
        read_with_api_key("channel_link__channel")
        register_demo_seeder("orders", seed_orders)
        register_backorders(
            BackorderSource(demand=backorder_demand, release=orders_reprocess_backordered)
        )
