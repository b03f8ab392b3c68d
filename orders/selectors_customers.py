"""Reads for the customer page and for finding customers: one customer's orders, what they have
paid over their lifetime (per currency), their notes and inquiries across every order, and the
customers a search text may mean. Each is one query, whatever the customer has.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from oms.money import to_money
from orders.models import Customer, Order, OrderEvent
from orders.selectors_search import customer_matches

ORDERS_SHOWN = 100
NOTES_SHOWN = 50
CUSTOMERS_SHOWN = 20
# The timeline entries people write about a customer's order.
NOTE_TYPES = ("note", "inquiry")


def customer_by_pk(*, pk: int) -> Customer:
    """Raises Customer.DoesNotExist."""
    return Customer.objects.get(pk=pk)


def customer_orders(*, customer: Customer, shown: int = ORDERS_SHOWN) -> list[Order]:
    """The customer's orders, newest first (drafts, never placed, last), one query."""
    return list(
        Order.objects.filter(customer=customer)
        .select_related("channel")
        .order_by(F("placed_at").desc(nulls_last=True), "-id")[:shown]
    )


@dataclass(frozen=True)
class LifetimeValue:
    currency: str
    paid: Decimal  # captured minus refunded, over every order in this currency
    orders: int


def lifetime_value(*, customer: Customer) -> list[LifetimeValue]:
    """What the customer has paid, per currency (amounts in two currencies never add up), and
    how many orders they placed in each (one grouped query)."""
    rows = (
        Order.objects.filter(customer=customer)
        .order_by("currency")
        .values("currency")
        .annotate(paid=Sum("amount_paid"), orders=Count("id"))
    )
    # Rounded here: SQLite sums decimals as floats.
    return [LifetimeValue(row["currency"], to_money(row["paid"]), row["orders"]) for row in rows]


def customer_notes(*, customer: Customer, shown: int = NOTES_SHOWN) -> list[OrderEvent]:
    """Notes and inquiries across the customer's orders, newest first (one query)."""
    return list(
        OrderEvent.objects.filter(order__customer=customer, type__in=NOTE_TYPES)
        .select_related("order", "actor")
        .order_by("-created_at", "-id")[:shown]
    )


def customers_matching(text: str, *, shown: int = CUSTOMERS_SHOWN) -> list[Customer]:
    """Customers a search may mean (email, name or phone, whole or in part:
    `orders.selectors_search.customer_matches`), by name, each with how many orders they
    placed. One query; orders are counted for the customers shown only, however many match."""
    text = text.strip()
    if not text:
        return []
    placed = (
        Order.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Customer.objects.filter(customer_matches(text))
        .annotate(order_count=Coalesce(Subquery(placed), 0))
        .order_by("last_name", "first_name", "email")[:shown]
    )
