"""The customer page's returns section: what the customer may still send back, order by order,
each line with a "Return" button (support and managers) that opens the order's "Start a return"
form with that line chosen (`?return=<line id>`); and their returns with status, lines and how
each was settled.

Registered with `orders.customer_sections` in `ReturnsConfig.ready`.
"""

from oms.roles import user_has_role
from orders.customer_sections import CustomerSection, register
from orders.models import Customer
from returns.selectors_backoffice import customer_returns, returnable_by_order
from returns.views.common import DECIDERS


def section_context(request, customer: Customer) -> dict:
    """Four queries, whatever the number of orders, lines or returns."""
    return {
        "returnable": returnable_by_order(customer=customer),
        "returns": customer_returns(customer=customer),
        "may_start": user_has_role(request.user, *DECIDERS),
    }


def register_customer_section() -> None:
    register(
        CustomerSection(
            key="returns",
            template="returns/_customer_section.html",
            context=section_context,
            order=100,
        )
    )
