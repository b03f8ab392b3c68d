"""The payments app's screens in the back-office navigation (registered in PaymentsConfig.ready)."""

from oms.navigation import NavItem, WorkCount, register
from oms.roles import Role
from payments.selectors import failed_payment_count


def register_navigation() -> None:
    register(
        NavItem(
            key="failed_payments",
            label="Failed payments",
            url_name="payments:failed",
            roles=(Role.SUPPORT, Role.MANAGER),
            description="Payments whose authorization or capture failed, oldest first: "
            "open the order, or retry the payment.",
            order=230,
            active_for=("payments:failed", "payments:failed_retry"),
            work=WorkCount(
                count=failed_payment_count, one="payment failed", many="payments failed"
            ),
        ),
    )
