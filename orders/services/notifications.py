"""Customer notifications that are owed by an order and must go out once."""

from orders.emails import send_order_confirmation
from orders.models import Order


def order_confirmation_send(*, order_id: int) -> bool:
    """Send an owed confirmation once; True when this call sent it.

    Claiming is one conditional UPDATE, so two workers handed the same order cannot both send;
    if the mail server refuses, the email is owed again for the retry or the sweeper.
    """
    claimed = Order.objects.filter(pk=order_id, confirmation_due=True).update(
        confirmation_due=False
    )
    if not claimed:
        return False
    order = Order.objects.select_related("customer", "shipping_address").get(pk=order_id)
    try:
        send_order_confirmation(order=order)
    except Exception:
        Order.objects.filter(pk=order_id).update(confirmation_due=True)
        raise
    return True
