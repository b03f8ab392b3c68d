"""Reads for the shipping back office: the shipments list (filters in the URL, keyset pages),
one shipment with its lines, tracking history and carrier receipts, and an order's shipments
for the order page. Each reads a fixed number of rows' worth of queries, whatever it lists.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from inventory.models import Warehouse
from oms.numbering import numbered
from oms.paging import KeysetPage, keyset_page
from orders.models import Order
from shipping.models import (
    Carrier,
    CarrierEventReceipt,
    Shipment,
    ShipmentLine,
    ShippingMethod,
    TrackingEvent,
)

# Newest first; served by the `shipment_created` index (and, filtered by status or warehouse,
# by `shipment_status_created` / `shipment_wh_created`).
LIST_ORDER = ("-created_at", "-id")
RECEIPTS_SHOWN = 50


@dataclass(frozen=True)
class ShipmentFilters:
    status: str = ""
    carrier: str = ""
    warehouse: str = ""
    created_from: date | None = None
    created_to: date | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None
    exceptions_only: bool = False
    q: str = ""


def _start_of_day(day: date) -> datetime:
    """Midnight in the shop's time zone, so a day means the day the staff see."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _matching(text: str) -> Q:
    """A shipment number, a tracking number or an order number, each one index lookup (the
    order's id is read once, before the shipments: a bitmap OR of three indexes)."""
    tracking = {text, text.upper()}
    order = Order.objects.filter(number=numbered(text, "SO")).values("pk")[:1]
    return (
        Q(number=numbered(text, "SH"))
        # Said out loud, the partial unique index on tracking numbers can answer it.
        | (Q(tracking_number__in=tracking) & ~Q(tracking_number=""))
        | Q(order_id=Subquery(order))
    )


def shipment_list(filters: ShipmentFilters) -> QuerySet[Shipment]:
    """Shipments matching the filters, newest first, with what a list row shows (one query)."""
    shipments = Shipment.objects.all()
    if filters.status:
        shipments = shipments.filter(status=filters.status)
    if filters.exceptions_only:
        shipments = shipments.exceptions()
    if filters.carrier:
        methods = ShippingMethod.objects.filter(carrier__code=filters.carrier).values("pk")
        shipments = shipments.filter(method_id__in=methods)
    if filters.warehouse:
        warehouse = Warehouse.objects.filter(code=filters.warehouse).values("pk")[:1]
        shipments = shipments.filter(warehouse_id=Subquery(warehouse))
    if filters.created_from:
        shipments = shipments.filter(created_at__gte=_start_of_day(filters.created_from))
    if filters.created_to:
        end = _start_of_day(filters.created_to + timedelta(days=1))
        shipments = shipments.filter(created_at__lt=end)
    if filters.shipped_from:
        shipments = shipments.filter(shipped_at__gte=_start_of_day(filters.shipped_from))
    if filters.shipped_to:
        end = _start_of_day(filters.shipped_to + timedelta(days=1))
        # A parcel is created before it ships: the redundant bound on `created_at` lets the
        # newest-first index start at the end of the range instead of at today.
        shipments = shipments.filter(shipped_at__lt=end, created_at__lt=end)
    if filters.q:
        shipments = shipments.filter(_matching(filters.q))
    return shipments.select_related("order", "warehouse", "method__carrier").order_by(*LIST_ORDER)


def shipments_page(
    filters: ShipmentFilters, *, size: int, after: tuple | None = None, before: tuple | None = None
) -> KeysetPage:
    """One page of the shipments list (one query, whatever the page size)."""
    return keyset_page(
        shipment_list(filters), order=LIST_ORDER, size=size, after=after, before=before
    )


def shipment_cursor(key: tuple) -> str:
    """`<id>:<created at>` of the row a page starts or ends at."""
    created_at, pk = key
    return f"{pk}:{created_at.isoformat()}"


def parse_shipment_cursor(text: str | None) -> tuple | None:
    """(created at, id) from `shipment_cursor`, or None when the text is not one."""
    pk, separator, raw = (text or "").partition(":")
    if not separator or not (pk.isascii() and pk.isdigit()):
        return None
    try:
        created_at = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return (created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)), int(pk)


def carrier_choices() -> list[tuple[str, str]]:
    return list(Carrier.objects.order_by("name", "code").values_list("code", "name"))


def warehouse_choices() -> list[tuple[str, str]]:
    return list(Warehouse.objects.order_by("priority", "code").values_list("code", "name"))


# --- one shipment ---------------------------------------------------------------------------


def _lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=ShipmentLine.objects.select_related("order_line").order_by("id"),
    )


def shipment_detail(*, pk: int) -> Shipment:
    """The shipment page: the parcel, its lines and its tracking history, newest first (three
    queries). Raises Shipment.DoesNotExist."""
    history = TrackingEvent.objects.order_by("-occurred_at", "-id")
    return (
        Shipment.objects.select_related("order", "warehouse", "method__carrier", "pick_list")
        .prefetch_related(_lines(), Prefetch("events", queryset=history, to_attr="history"))
        .get(pk=pk)
    )


def shipment_receipts(shipment: Shipment, *, shown: int = RECEIPTS_SHOWN):
    """What carriers sent about this parcel, newest first: the deliveries matched to it, and
    those its carrier sent with its tracking number that could not be applied (one query)."""
    about = Q(shipment=shipment)
    if shipment.tracking_number and shipment.method is not None:
        about |= Q(tracking_number=shipment.tracking_number, carrier_id=shipment.method.carrier_id)
    return list(
        CarrierEventReceipt.objects.filter(about)
        .select_related("carrier")
        .order_by("-received_at", "-id")[:shown]
    )


# --- an order's shipments, and the rows of a bulk action ------------------------------------


def order_shipments(*, order: Order) -> list[Shipment]:
    """The order page's shipments panel: each parcel with its lines, oldest first (two
    queries)."""
    return list(
        Shipment.objects.filter(order=order)
        .select_related("warehouse", "method__carrier")
        .prefetch_related(_lines())
        .order_by("id")
    )


def shipments_for_bulk(ids: list[int]) -> list[Shipment]:
    """The ticked shipments, in id order (one query)."""
    return list(Shipment.objects.filter(pk__in=ids).order_by("id"))


# --- the manager dashboard ------------------------------------------------------------------


def exception_count() -> int:
    """Parcels in exception with the carrier (the home page's figure)."""
    return Shipment.objects.exceptions().count()


def exceptions_summary(*, channel_id: int | None = None, shown: int = 10) -> tuple[int, list]:
    """How many parcels are in exception with the carrier, and the oldest few (two queries)."""
    parcels = Shipment.objects.exceptions()
    if channel_id:
        parcels = parcels.filter(order__channel_id=channel_id)
    count = parcels.count()
    oldest = list(
        parcels.select_related("order", "warehouse", "method__carrier").order_by(
            "shipped_at", "id"
        )[:shown]
    )
    return count, oldest
