"""Dashboard test data: orders placed (and shipped) at given times."""

from datetime import datetime, timedelta

from orders.models import Order, OrderStatus
from tests.orders.factories import capture


def place(
    channel,
    lines,
    placed: datetime,
    *,
    ship_by: datetime | None = None,
    shipped: datetime | None = None,
    **extra,
) -> Order:
    """An order captured as production captures it, then moved to when it was placed (and,
    with `shipped`, marked shipped then)."""
    order = capture(channel, lines, currency=channel.currency, **extra)
    changes = {"placed_at": placed, "ship_by": ship_by or placed + timedelta(days=1)}
    if shipped:
        changes.update(status=OrderStatus.SHIPPED, shipped_at=shipped)
    Order.objects.filter(pk=order.pk).update(**changes)
    return Order.objects.get(pk=order.pk)
