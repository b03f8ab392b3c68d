"""How payments reacts to the orders app below it (connected in PaymentsConfig.ready).

Receivers run inside the order's transaction and only write rows; gateway calls are owed to a
worker and enqueued after commit.
"""

from django.dispatch import receiver

from orders.signals import order_cancelled, order_captured, order_ready, order_totals_changed
from payments.services import (
    payments_order_cancelled,
    payments_order_captured,
    payments_order_ready,
    payments_order_totals_changed,
)


@receiver(order_captured, dispatch_uid="payments.order_captured")
def on_order_captured(sender, order, **kwargs):
    payments_order_captured(order=order)


@receiver(order_ready, dispatch_uid="payments.order_ready")
def on_order_ready(sender, order, **kwargs):
    payments_order_ready(order=order)


@receiver(order_cancelled, dispatch_uid="payments.order_cancelled")
def on_order_cancelled(sender, order, **kwargs):
    payments_order_cancelled(order=order)


@receiver(order_totals_changed, dispatch_uid="payments.order_totals_changed")
def on_order_totals_changed(sender, order, previous_total, **kwargs):
    payments_order_totals_changed(order=order, previous_total=previous_total)
