from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = "Shipping"

    def ready(self) -> None:
        from oms.demo import register_demo_seeder
        from shipping import receivers  # noqa: F401  (connects the signal receivers)
        from shipping.demo import seed_shipping
        from shipping.navigation import register_navigation
        from shipping.navigation_shipments import register_shipments_navigation
        from shipping.search import register_search_source
        from shipping.views.panel import register_panel

        register_shipments_navigation()
        register_search_source()
        register_panel()
        register_navigation()
        register_demo_seeder("shipping", seed_shipping)
