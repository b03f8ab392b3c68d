from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from dashboard.demo import seed_history
        from dashboard.navigation import register_navigation
        from oms.demo import register_demo_seeder

        register_navigation()
        register_demo_seeder("history", seed_history)
