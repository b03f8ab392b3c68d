"""The customer page's refunds section: every refund asked for on the customer's orders, with
the gateway's answer (registered with `orders.customer_sections` in `PaymentsConfig.ready`)."""

from orders.customer_sections import CustomerSection, register
from orders.models import Customer
from payments.selectors import customer_refunds


def section_context(request, customer: Customer) -> dict:
    """One query, whatever the number of orders or refunds."""
    return {"refunds": customer_refunds(customer=customer)}


def register_customer_section() -> None:
    register(
        CustomerSection(
            key="refunds",
            template="payments/_customer_refunds.html",
            context=section_context,
            order=200,
        )
    )
