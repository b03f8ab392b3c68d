"""What the payments back-office tests share: orders in the money states the screens show."""

from decimal import Decimal

from django.urls import reverse

from orders.models import Order
from payments.services import payment_request_capture
from tests.payments.factories import card, order_paid_by, run_owed

HTMX = {"HX-Request": "true"}


def captured_order(amount: str = "20.00", **kwargs) -> Order:
    """A 20.00 USD order paid by card, `amount` of it captured (its shipment went out)."""
    order = order_paid_by(card(), **kwargs)
    run_owed()
    payment_request_capture(order=order, amount=Decimal(amount), reference="shipment:1")
    run_owed()
    return Order.objects.get(pk=order.pk)


def declined_order(**kwargs) -> Order:
    """An order whose card was declined: its payment failed and the order is on hold."""
    order = order_paid_by(card("tok_declined"), **kwargs)
    run_owed()
    return Order.objects.get(pk=order.pk)


def order_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.number])


def payments_url(name: str, order: Order, *args) -> str:
    return reverse(f"payments:{name}", args=[order.number, *args])


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)
