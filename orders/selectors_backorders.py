"""What backordered orders are short of: per order (the queue's rows) and per product (the
low-stock page's suggestion, through `inventory.backorders`).

A line is short by its open units (ordered − cancelled − shipped) not yet allocated.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from orders.models import Allocation, Order, OrderLine, OrderStatus


def short_lines() -> QuerySet[OrderLine]:
    """Lines with `units_short` > 0: open units that no allocation covers yet."""
    allocated = (
        Allocation.objects.filter(order_line=OuterRef("pk"))
        .order_by()
        .values("order_line")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    return OrderLine.objects.annotate(
        units_short=F("quantity")
        - F("quantity_cancelled")
        - F("quantity_shipped")
        - Coalesce(Subquery(allocated), 0)
    ).filter(units_short__gt=0)


def backorder_demand(*, product_ids: Iterable[int]) -> dict[int, int]:
    """Units backordered orders wait for, per product (one grouped query)."""
    rows = (
        short_lines()
        .filter(order__status=OrderStatus.BACKORDERED, product_id__in=set(product_ids))
        .values("product_id")
        .annotate(units=Sum("units_short"))
        .values_list("product_id", "units")
        .order_by()
    )
    return dict(rows)


@dataclass(frozen=True)
class Shortage:
    sku: str
    units: int


def attach_shortages(orders: list[Order]) -> None:
    """Give each backordered order of a page `shortages`: the SKUs it waits for and how many units
    of each (one query for the page, none when no order on it is backordered)."""
    waiting = {order.pk: order for order in orders if order.status == OrderStatus.BACKORDERED}
    for order in orders:
        order.shortages = []
    if not waiting:
        return
    rows = (
        short_lines()
        .filter(order_id__in=waiting)
        .values("order_id", "sku")
        .annotate(units=Sum("units_short"))
        .order_by("order_id", "sku")
    )
    for row in rows:
        waiting[row["order_id"]].shortages.append(Shortage(sku=row["sku"], units=row["units"]))
