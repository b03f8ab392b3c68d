from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self) -> None:
        from oms.demo import register_demo_seeder
        from returns.demo import seed_returns
        from returns.navigation import register_navigation
        from returns.search import register_search_source
        from returns.views.customer import register_customer_section
        from returns.views.panel import register_panel

        register_navigation()
        register_panel()
        register_customer_section()
        register_search_source()
        register_demo_seeder("returns", seed_returns)
