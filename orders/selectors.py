"""Reads: order lists with filters and keyset pages, order detail, queue counts (the search:
`orders.selectors_search`)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from orders.models import (
    Allocation,
    HoldReason,
    Order,
    OrderEvent,
    OrderHold,
    OrderLine,
    OrderStatus,
    SalesChannel,
)
from orders.selectors_search import search_orders

QUEUES = {
    "attention": "Needs attention",
    "ready": "Ready to fulfill",
    "backordered": "Backordered",
    "at_risk": "At risk",
    "late": "Late",
    "all": "All orders",
}

SORTS = {
    "newest": ("-placed_at", "-id"),
    "oldest": ("placed_at", "id"),
    "ship_by": ("ship_by", "id"),
    "total": ("-grand_total", "-id"),
}


def lines_with_quantities() -> Prefetch:
    """Lines with `allocated_total` (shipped and returned are stored on the line)."""
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.select_related("product")
        .annotate(allocated_total=Sum("allocations__quantity"))
        .order_by("id"),
    )


def order_detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related(
        "channel", "customer", "shipping_address", "billing_address"
    ).prefetch_related(
        lines_with_quantities(),
        Prefetch("holds", queryset=OrderHold.objects.select_related("placed_by", "released_by")),
    )


def captured_order_detail(order: Order) -> Order:
    """The order `order_capture` just returned, as `order_by_number` would read it, without
    reading: its lines as stored (with what they have allocated) and its holds. An order that
    is not on hold has none yet; one that is (a rule, or payments) is read back."""
    if order.status == OrderStatus.ON_HOLD:
        return order_by_number(number=order.number)
    _cache_related(order, "lines", order.captured_lines)
    _cache_related(order, "holds", [])
    return order


def _cache_related(instance, name: str, rows: list) -> None:
    """Give `instance.<name>.all()` these rows, as a prefetch does (Django's own prefetch sets
    these two attributes on the related manager's queryset)."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def order_by_number(*, number: str, channel: SalesChannel | None = None) -> Order:
    orders = order_detail_queryset()
    if channel is not None:
        orders = orders.filter(channel=channel)
    return orders.get(number=number)


def line_allocations(*, order: Order) -> dict[int, list[Allocation]]:
    """Where each line's units are reserved (warehouse and quantity), for the order page."""
    found: dict[int, list[Allocation]] = {}
    for allocation in Allocation.objects.filter(order_line__order=order).select_related(
        "stock_level__warehouse"
    ):
        found.setdefault(allocation.order_line_id, []).append(allocation)
    return found


def order_timeline(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("-created_at", "-id")


@dataclass
class OrderFilters:
    queue: str = "all"
    status: str = ""
    channel: str = ""
    payment_status: str = ""
    hold_reason: str = ""
    warehouse: str = ""
    date_from: date | None = None
    date_to: date | None = None
    has_notes: bool = False
    q: str = ""
    external_id: str = ""
    updated_after: datetime | None = None
    # Exact placement bounds (the dashboard's pipeline cells link to these); open orders only.
    placed_after: datetime | None = None
    placed_before: datetime | None = None
    open_only: bool = False
    sort: str = "newest"


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def order_list(filters: OrderFilters) -> QuerySet[Order]:
    """Orders matching the queue and filters, sorted; every filter is index-backed."""
    orders = Order.objects.all()
    now = timezone.now()
    if filters.queue == "attention":
        orders = orders.needs_attention()
    elif filters.queue == "ready":
        orders = orders.filter(status=OrderStatus.READY)
    elif filters.queue == "backordered":
        orders = orders.filter(status=OrderStatus.BACKORDERED)
    elif filters.queue == "at_risk":
        orders = orders.at_risk(now)
    elif filters.queue == "late":
        orders = orders.late(now)
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.channel:
        orders = orders.filter(channel__code=filters.channel)
    if filters.payment_status:
        orders = orders.filter(payment_status=filters.payment_status)
    if filters.hold_reason:
        orders = orders.filter(
            holds__reason=filters.hold_reason, holds__released_at__isnull=True
        ).distinct()
    if filters.warehouse:
        orders = orders.filter(
            pk__in=Allocation.objects.filter(stock_level__warehouse__code=filters.warehouse).values(
                "order_line__order_id"
            )
        )
    # Day boundaries in the shop's time zone, as a range the placed_at indexes can serve.
    if filters.date_from:
        orders = orders.filter(placed_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        orders = orders.filter(placed_at__lt=_start_of_day(filters.date_to + timedelta(days=1)))
    if filters.placed_after:
        orders = orders.filter(placed_at__gte=filters.placed_after)
    if filters.placed_before:
        orders = orders.filter(placed_at__lt=filters.placed_before)
    if filters.open_only:
        orders = orders.open()
    if filters.has_notes:
        orders = orders.filter(pk__in=OrderEvent.objects.filter(type="note").values("order_id"))
    if filters.external_id:
        orders = orders.filter(external_id=filters.external_id)
    if filters.updated_after:
        orders = orders.filter(updated_at__gt=filters.updated_after)
    orders = search_orders(orders, filters.q)
    return orders.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def list_page_queryset(orders: QuerySet[Order]) -> QuerySet[Order]:
    """What a list row shows, fetched in a fixed number of queries whatever the page size."""
    active_holds = OrderHold.objects.filter(released_at__isnull=True).order_by("placed_at")
    return (
        orders.select_related("channel", "customer", "shipping_address")
        .prefetch_related(Prefetch("holds", queryset=active_holds, to_attr="active_holds"))
        .annotate(line_count=Count("lines", distinct=True))
    )


def queue_counts() -> dict[str, int]:
    """Sizes of the work queues (each an index-backed count of a small, open slice)."""
    now = timezone.now()
    return {
        "attention": Order.objects.needs_attention().count(),
        "ready": Order.objects.filter(status=OrderStatus.READY).count(),
        "backordered": Order.objects.filter(status=OrderStatus.BACKORDERED).count(),
        "at_risk": Order.objects.at_risk(now).count(),
        "late": Order.objects.late(now).count(),
    }


def attention_by_reason() -> dict[str, int]:
    rows = (
        OrderHold.objects.filter(released_at__isnull=True, order__status=OrderStatus.ON_HOLD)
        .values("reason")
        .annotate(orders=Count("order", distinct=True))
        .order_by()
    )
    counts = {row["reason"]: row["orders"] for row in rows}
    return {reason: counts.get(reason, 0) for reason in HoldReason.values}


# --- the home page's figures (one count each) -------------------------------------------------


def attention_count() -> int:
    return Order.objects.needs_attention().count()


def ready_count() -> int:
    return Order.objects.filter(status=OrderStatus.READY).count()


def late_count() -> int:
    return Order.objects.late().count()
