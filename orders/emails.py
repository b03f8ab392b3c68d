"""Customer emails, rendered from templates (console backend unless EMAIL_URL says otherwise)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

from orders.models import Order


def send_order_confirmation(*, order: Order, connection: BaseEmailBackend | None = None) -> None:
    """Tell the customer we have their order (the caller records it once the server took it).

    `connection` is a batch's open mail connection; without one, the message opens its own."""
    context = {"order": order, "lines": list(order.lines.all())}
    subject = f"Your order {order.number}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("orders/email/confirmation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
        connection=connection,
    )
    message.attach_alternative(
        render_to_string("orders/email/confirmation.html", context), "text/html"
    )
    message.send()
