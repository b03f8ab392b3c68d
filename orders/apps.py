from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from oms.demo import register_demo_seeder
        from orders import receivers  # noqa: F401  (connects the signal receivers)
        from orders.demo import seed_orders
        from orders.navigation import register_navigation

        register_navigation()
        register_demo_seeder("orders", seed_orders)
