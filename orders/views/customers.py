"""The customer page: everything about one customer for support — their orders (newest first,
with status, payment and total), what they have paid over their lifetime per currency, the notes
and inquiries on any of their orders, and the sections the apps above orders add
(`orders.customer_sections`: payments' refunds, returns' returns and what may still come back).

Reached from the global search (an exact email opens it) and from every order's customer card.
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oms.roles import role_required
from orders.customer_sections import sections_for
from orders.models import Customer
from orders.selectors_customers import (
    ORDERS_SHOWN,
    customer_by_pk,
    customer_notes,
    customer_orders,
    lifetime_value,
)
from orders.views.common import ORDER_VIEWERS
from orders.views.detail import event_label
from orders.views.queues import queue_url


def customer_or_404(pk: int) -> Customer:
    try:
        return customer_by_pk(pk=pk)
    except Customer.DoesNotExist:
        raise Http404(f"No customer has the id {pk}.") from None


def customer_context(request, customer: Customer) -> dict:
    """Everything the customer page shows (a fixed number of queries, whatever they have)."""
    lifetime = lifetime_value(customer=customer)
    order_count = sum(value.orders for value in lifetime)
    notes = customer_notes(customer=customer)
    for note in notes:
        note.label = event_label(note.type)
    return {
        "customer": customer,
        "orders": customer_orders(customer=customer),
        "order_count": order_count,
        "orders_truncated": order_count > ORDERS_SHOWN,
        "lifetime": lifetime,
        "notes": notes,
        "sections": sections_for(request, customer),
        "queue_url": queue_url(urlencode({"q": customer.email})),
    }


@require_GET
@role_required(*ORDER_VIEWERS)
def customer_page(request, pk: int):
    customer = customer_or_404(pk)
    return render(request, "orders/customer.html", customer_context(request, customer))
