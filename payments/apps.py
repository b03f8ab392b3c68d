from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from oms.demo import register_demo_seeder
        from payments import receivers  # noqa: F401  (connects the signal receivers)
        from payments.demo import seed_payments
        from payments.navigation import register_navigation
        from payments.views.customer import register_customer_section
        from payments.views.panel import register_panel

        register_navigation()
        register_panel()
        register_customer_section()
        register_demo_seeder("payments", seed_payments)
