"""Pieces every order service shares: locking an order, running a transition, publishing."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from oms.errors import InvalidTransition
from oms.money import MAX_MONEY
from oms.numbers import column_max
from oms.webhooks import webhook_publish
from orders import events
from orders.errors import OrderInvalid
from orders.models import Order, OrderStatus
from orders.signals import order_ready
from orders.sla import add_business_hours

# An order's units are counted in one integer column.
MAX_ORDER_UNITS = column_max(Order, "units")


def lock_order(order: Order) -> Order:
    """Re-read the order under a row lock; every write to an order starts here."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("channel", "shipping_address")
        .get(pk=order.pk)
    )


def order_reference(order: Order) -> str:
    return f"order:{order.number}"


# How each transition reads in "it cannot be … now".
TRANSITION_NAMES = {
    "place": "placed",
    "mark_ready": "marked ready",
    "mark_backordered": "backordered",
    "hold": "put on hold",
    "release": "released",
    "reopen": "reopened for changes",
    "allocate_backorder": "made ready",
    "start_fulfillment": "sent to fulfillment",
    "ship_partially": "partially shipped",
    "ship": "shipped",
    "deliver": "delivered",
    "cancel": "cancelled",
}


def run_transition(
    order: Order, name: str, *, actor=None, actor_label=None, quiet: bool = False
) -> Order:
    """Run the named transition if the state and the actor allow it, then record and publish.

    `quiet`: a step inside a larger change that records and publishes its own outcome once (an
    edit re-processes an order ready → pending → ready; only what changed overall is news).
    """
    previous = step_transition(order, name, actor=actor)
    order.save()
    if not quiet:
        events.status_changed(order, previous, actor=actor, actor_label=actor_label)
        publish_status_change(order, previous)
    if order.status == OrderStatus.READY:
        order_ready.send(sender=Order, order=order)
    return order


def step_transition(order: Order, name: str, *, actor=None) -> str:
    """Move the order in memory by the named transition, if its state and the actor allow it;
    returns the status it had. Nothing is saved (`run_transition` saves; capture inserts the
    order once, in the status its transitions led to)."""
    method = getattr(order, name)
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    action = TRANSITION_NAMES.get(name, name.replace("_", " "))
    # A capture moves its order before inserting it, so before it has a number.
    called = f"order {order.number}" if order.number else "a new order"
    if not can_proceed(method):
        raise InvalidTransition(
            f"{called[0].upper()}{called[1:]} is {order.get_status_display().lower()}: "
            f"it cannot be {action} now."
        )
    if not has_transition_perm(method, user):
        raise InvalidTransition(f"Your role may not have {called} {action}.")
    previous = order.status
    if name == "hold":
        order.status_before_hold = previous
    method()
    if name == "release":
        order.status_before_hold = ""
    return previous


def publish_status_change(
    order: Order, previous: str, *, to: str | None = None, subscribed: frozenset[str] | None = None
) -> None:
    """Tell webhook subscribers the order moved from `previous` to `to` (its status now)."""
    webhook_publish(
        event="order.status_changed",
        payload={
            "number": order.number,
            "external_id": order.external_id,
            "channel": order.channel.code,
            "from": previous,
            "to": to or order.status,
        },
        subscribed=subscribed,
    )


def ship_by_for(order: Order):
    """When the order must ship: the channel's SLA in business hours after it was placed."""
    return add_business_hours(order.placed_at or timezone.now(), order.channel.sla_hours)


def on_commit(callback) -> None:
    transaction.on_commit(callback, robust=True)


def check_order_fits(*, subtotal: Decimal, grand_total: Decimal, units: int) -> None:
    """Refuse an order whose totals its columns cannot hold: each price and quantity may be
    in range while their sum is not (two lines at 9,999,999,999.99)."""
    if subtotal > MAX_MONEY or grand_total > MAX_MONEY:
        raise OrderInvalid(
            f"The order's total would be above {MAX_MONEY:,}.",
            fields={"lines": [f"Together the lines come to more than {MAX_MONEY:,}."]},
        )
    if units > MAX_ORDER_UNITS:
        raise OrderInvalid(
            f"An order holds at most {MAX_ORDER_UNITS:,} units.",
            fields={"lines": [f"Together the lines ask for more than {MAX_ORDER_UNITS:,} units."]},
        )
