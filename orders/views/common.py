"""What the orders views share: who may do what, finding the order, refusals."""

from django.http import Http404

from oms.roles import Role
from orders.models import Order
from orders.selectors import order_by_number

# Everyone who works orders may look, hold, and write notes; changing what was ordered is for
# support and managers. Cancel and release follow the transitions' own `permission=` rules.
ORDER_VIEWERS = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)
ORDER_EDITORS = (Role.SUPPORT, Role.MANAGER)


def order_or_404(number: str) -> Order:
    try:
        return order_by_number(number=number.upper())
    except Order.DoesNotExist:
        raise Http404(f"No order has the number {number}.") from None


def refusal(order_number: str, message: str) -> str:
    """A per-order refusal that names the order once ("SO-000013: …")."""
    return message if order_number in message else f"{order_number}: {message}"
