"""What the payments views share: who may handle money, finding a payment of an order."""

from django.shortcuts import get_object_or_404

from oms.roles import Role
from orders.models import Order
from payments.models import Payment

# Recording money, refunds and retries: support and managers (the payment transitions'
# `permission=` says the same). Everyone who works orders may see the payments.
MONEY_HANDLERS = (Role.SUPPORT, Role.MANAGER)


def payment_of(order: Order, payment_id: int) -> Payment:
    return get_object_or_404(Payment, pk=payment_id, order=order)


def payment_or_404(payment_id: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("order"), pk=payment_id)
