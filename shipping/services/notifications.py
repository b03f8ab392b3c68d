"""The tracking email: owed from the moment a parcel ships, cleared only once it is sent."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from orders.models import OrderStatus
from shipping import events
from shipping.models import Shipment


def shipment_notification_send(*, shipment_id: int) -> bool:
    """Send the tracking email if it is owed; True when this call sent it.

    At least once: the flag is cleared after the mail server took the message, so a worker that
    dies in between leaves it owed (the sweeper sends it again) rather than losing it.
    """
    shipment = (
        Shipment.objects.select_related("order__customer", "method__carrier")
        .filter(pk=shipment_id, notify_due=True)
        .first()
    )
    if shipment is None:
        return False
    order = shipment.order
    lines = list(shipment.lines.select_related("order_line").order_by("id"))
    context = {
        "order": order,
        "shipment": shipment,
        "lines": lines,
        "everything": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    }
    message = EmailMultiAlternatives(
        subject=f"Your order {order.number} has shipped",
        body=render_to_string("shipping/email/shipped.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string("shipping/email/shipped.html", context), "text/html"
    )
    message.send()
    with transaction.atomic():
        cleared = Shipment.objects.filter(pk=shipment.pk, notify_due=True).update(notify_due=False)
        if cleared:
            events.tracking_email_sent(order, shipment, to=order.email)
    return bool(cleared)
