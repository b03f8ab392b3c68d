"""Reads for the returns back office: the returns queue (filters in the URL, counts per status,
keyset pages), one return with its lines and its part of the order's timeline, the order page's
returns panel, the receiving desk, and one customer's returns and what they may still send back.

Each reads a fixed number of queries, whatever it lists: the queue's filters are all served by
indexes (`return_status_created`, `return_created`, `return_order`, `return_line_reason`, and
the orders' number and email indexes), so no migration was needed for them.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from inventory.models import Product
from oms.money import ZERO
from oms.numbering import numbered
from oms.paging import KeysetPage, keyset_page
from orders.models import Customer, Order, OrderEvent, OrderLine
from returns.models import OPEN_STATUSES, ReturnLine, ReturnRequest, ReturnStatus
from returns.services import refund_quote

# The queue's tabs: the work still to do first, then each status, then everything.
OPEN = "open"
ALL = "all"
TABS = {
    OPEN: "Open",
    **dict(ReturnStatus.choices),
    ALL: "All",
}
# Work to do is worked oldest first; settled returns are looked up, newest first.
OLDEST_FIRST = ("created_at", "id")
NEWEST_FIRST = ("-created_at", "-id")
WORK_TABS = {OPEN, *OPEN_STATUSES}
CUSTOMER_RETURNS_SHOWN = 50
RETURNABLE_LINES_SHOWN = 100


@dataclass(frozen=True)
class ReturnFilters:
    status: str = OPEN  # a TABS key
    reason: str = ""
    older_than_days: int | None = None
    q: str = ""

    @property
    def order(self) -> tuple[str, str]:
        return OLDEST_FIRST if self.status in WORK_TABS else NEWEST_FIRST


def _lines(*, products: bool = False) -> Prefetch:
    related = "order_line__product" if products else "order_line"
    return Prefetch("lines", queryset=ReturnLine.objects.select_related(related).order_by("id"))


def _matching(text: str) -> Q:
    """An RMA number, an order number or the order's email, each one index lookup."""
    orders = Order.objects.filter(Q(number=numbered(text, "SO")) | Q(email=text.lower()))
    return Q(number=numbered(text, "RMA")) | Q(order_id__in=orders.values("pk"))


def return_list(filters: ReturnFilters) -> QuerySet[ReturnRequest]:
    """Returns matching the filters, in the tab's order, with what a queue row shows."""
    returns = ReturnRequest.objects.all()
    if filters.status == OPEN:
        returns = returns.filter(status__in=OPEN_STATUSES)
    elif filters.status in ReturnStatus.values:
        returns = returns.filter(status=filters.status)
    if filters.reason:
        with_reason = ReturnLine.objects.filter(reason=filters.reason)
        returns = returns.filter(pk__in=with_reason.values("return_request_id"))
    if filters.older_than_days:
        cutoff = timezone.now() - timedelta(days=filters.older_than_days)
        returns = returns.filter(created_at__lt=cutoff)
    if filters.q:
        returns = returns.filter(_matching(filters.q))
    return (
        returns.select_related("order__customer")
        .prefetch_related(_lines())
        .order_by(*filters.order)
    )


def returns_page(
    filters: ReturnFilters, *, size: int, after: tuple | None = None, before: tuple | None = None
) -> KeysetPage:
    """One page of the queue (two queries: the rows and their lines)."""
    return keyset_page(
        return_list(filters), order=filters.order, size=size, after=after, before=before
    )


def status_counts() -> dict[str, int]:
    """Returns per status, and the open ones together (one grouped query)."""
    rows = ReturnRequest.objects.order_by().values("status").annotate(count=Count("id"))
    counts = {row["status"]: row["count"] for row in rows}
    return {
        OPEN: sum(counts.get(status, 0) for status in OPEN_STATUSES),
        **{status: counts.get(status, 0) for status in ReturnStatus.values},
        ALL: sum(counts.values()),
    }


# --- one return -----------------------------------------------------------------------------


def returns_to_decide_count() -> int:
    """Returns asked for and not yet approved or rejected (the home page's figure)."""
    return ReturnRequest.objects.filter(status=ReturnStatus.REQUESTED).count()


def returns_to_receive_count() -> int:
    """Approved returns whose parcel has not arrived yet (the home page's figure)."""
    return ReturnRequest.objects.filter(status=ReturnStatus.APPROVED).count()


def return_detail(*, number: str) -> ReturnRequest:
    """The return page: the return, its order and customer, who decided, its lines (two
    queries). Raises ReturnRequest.DoesNotExist."""
    return (
        ReturnRequest.objects.select_related(
            "order__customer",
            "order__channel",
            "requested_by",
            "decided_by",
            "warehouse",
            "replacement_order",
        )
        .prefetch_related(_lines())
        .get(number=numbered(number, "RMA"))
    )


@dataclass(frozen=True)
class ExchangeItem:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ExchangePreview:
    items: list[ExchangeItem]
    value: Decimal  # the replacements at today's catalog prices
    credit: Decimal  # what the returned units are worth back

    @property
    def due(self) -> Decimal:
        return max(ZERO, self.value - self.credit)


def exchange_preview(rma: ReturnRequest, *, credit: Decimal | None = None) -> ExchangePreview:
    """What `return_exchange` will put on the replacement order and what the return pays
    towards it: the SKUs asked for instead (else the received units again), priced from the
    catalog, against the return's worth (`credit`, when the caller has its quote already)."""
    lines = list(rma.lines.all())
    wanted = rma.exchange_request or [
        {"sku": line.order_line.sku, "quantity": line.quantity_received}
        for line in lines
        if line.quantity_received
    ]
    products = Product.objects.filter(sku__in=[item["sku"] for item in wanted])
    catalog = {product.sku: product for product in products}
    items = [
        ExchangeItem(
            sku=item["sku"],
            name=catalog[item["sku"]].name if item["sku"] in catalog else "",
            quantity=item["quantity"],
            unit_price=catalog[item["sku"]].price if item["sku"] in catalog else ZERO,
        )
        for item in wanted
    ]
    return ExchangePreview(
        items=items,
        value=sum((item.unit_price * item.quantity for item in items), ZERO),
        credit=refund_quote(rma).computed if credit is None else credit,
    )


def return_timeline(rma: ReturnRequest) -> list[OrderEvent]:
    """The order's timeline entries about this return, newest first (one query; the order's
    timeline index narrows it to the order)."""
    return list(
        OrderEvent.objects.filter(order_id=rma.order_id, data__rma=rma.number)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def order_returns(*, order: Order) -> list[ReturnRequest]:
    """The order page's returns panel: the order's returns, newest first, with their lines (two
    queries)."""
    return list(
        ReturnRequest.objects.filter(order=order)
        .select_related("order", "replacement_order")
        .prefetch_related(_lines())
        .order_by("-id")
    )


def return_for_receiving(number: str) -> ReturnRequest | None:
    """The return as the receiving desk needs it: its order, lines and their products (two
    queries), or None when no return has that number."""
    return (
        ReturnRequest.objects.select_related("order", "warehouse")
        .prefetch_related(_lines(products=True))
        .filter(number=numbered(number, "RMA"))
        .first()
    )


# --- one customer ---------------------------------------------------------------------------


def customer_returns(
    *, customer: Customer, shown: int = CUSTOMER_RETURNS_SHOWN
) -> list[ReturnRequest]:
    """The customer's returns over all their orders, newest first (two queries)."""
    return list(
        ReturnRequest.objects.filter(order__customer=customer)
        .select_related("order", "replacement_order")
        .prefetch_related(_lines())
        .order_by("-created_at", "-id")[:shown]
    )


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    units: int


def returnable_lines(
    *, customer: Customer, shown: int = RETURNABLE_LINES_SHOWN
) -> list[ReturnableLine]:
    """Each line of the customer's orders that may still be returned, newest order first, with
    its units (two queries, whatever the number of orders).

    The same sum as `returns.services.returnable_units` — shipped, minus returned, minus what
    open returns already authorize — made for many orders at once.
    """
    lines = list(
        OrderLine.objects.filter(
            order__customer=customer, quantity_shipped__gt=F("quantity_returned")
        )
        .select_related("order")
        .order_by(F("order__placed_at").desc(nulls_last=True), "-order_id", "id")[:shown]
    )
    if not lines:
        return []
    held = dict(
        ReturnLine.objects.filter(
            order_line__in=[line.pk for line in lines], return_request__status__in=OPEN_STATUSES
        )
        .values("order_line")
        .annotate(units=Sum(F("quantity") - F("quantity_sellable") - F("quantity_damaged")))
        .values_list("order_line", "units")
    )
    found = [
        ReturnableLine(
            line=line,
            units=max(0, line.quantity_shipped - line.quantity_returned - held.get(line.pk, 0)),
        )
        for line in lines
    ]
    return [item for item in found if item.units]


@dataclass(frozen=True)
class ReturnableOrder:
    order: Order
    lines: list[ReturnableLine]


def returnable_by_order(*, customer: Customer) -> list[ReturnableOrder]:
    """`returnable_lines` grouped by their order, newest order first (two queries)."""
    grouped: dict[int, ReturnableOrder] = {}
    for item in returnable_lines(customer=customer):
        order = item.line.order
        grouped.setdefault(order.pk, ReturnableOrder(order=order, lines=[])).lines.append(item)
    return list(grouped.values())
