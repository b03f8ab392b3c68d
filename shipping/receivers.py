"""How shipping follows the orders app below it (connected in ShippingConfig.ready).

Receivers run inside the order's transaction (the order is locked) and only write rows.
"""

from django.dispatch import receiver

from orders.signals import order_cancelled, order_line_cancelled
from shipping.services import shipments_cancel_for_order, shipments_drop_cancelled_units


@receiver(order_cancelled, dispatch_uid="shipping.order_cancelled")
def on_order_cancelled(sender, order, reason="", **kwargs):
    shipments_cancel_for_order(order=order, reason=reason)


@receiver(order_line_cancelled, dispatch_uid="shipping.order_line_cancelled")
def on_order_line_cancelled(sender, order, line, quantity, **kwargs):
    shipments_drop_cancelled_units(order=order, line=line, quantity=quantity)
