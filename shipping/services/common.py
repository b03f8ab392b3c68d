"""What every shipping service shares: locks, numbers, what a parcel is worth.

Lock order, everywhere: the order row first, then its shipments by id, then every stock level
the work will touch (all of them, up front, in one id-ordered statement), then payments. Capture,
edits and cancels lock the order first too, so two pieces of work on one order queue on its row,
and work on different orders takes shared stock levels in id order: no deadlock.
"""

from decimal import Decimal

from django.utils import timezone

from inventory.models import StockLevel
from inventory.services import lock_levels
from oms.money import ZERO, to_money
from orders.models import Order
from orders.services.common import lock_order
from shipping.models import SHIPPED_STATUSES, Shipment


def lock_order_and_shipments(order: Order, shipment_ids) -> tuple[Order, dict[int, Shipment]]:
    order = lock_order(order)
    shipments = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse", "method__carrier")
        .filter(order=order, pk__in=list(shipment_ids))
        .order_by("id")
    )
    return order, {shipment.pk: shipment for shipment in shipments}


def lock_shipment_levels(shipments) -> dict[tuple[int, int], StockLevel]:
    """Every (product, warehouse) level these shipments' lines touch, locked in id order."""
    pairs = {
        (line.order_line.product_id, shipment.warehouse_id)
        for shipment in shipments
        for line in shipment.lines.select_related("order_line")
        if line.order_line.product_id
    }
    return lock_levels(pairs, create_missing=False)


def numbered(shipment: Shipment) -> Shipment:
    """Give a new shipment its number from its id (SH-000042): no lock needed for numbering."""
    shipment.number = f"SH-{shipment.pk:06d}"
    shipment.save(update_fields=["number"])
    return shipment


def shipment_reference(shipment: Shipment) -> str:
    return f"shipment:{shipment.number}"


def parcel_value(order: Order, shipment: Shipment, *, completes_order: bool) -> Decimal:
    """The part of the order's total this parcel carries, for `on_ship` capture.

    Its lines at their price, with their share of tax and discount; the order's shipping charge
    rides on the first parcel to ship. The parcel that completes the order carries exactly what
    the earlier ones left, so cents never drift.
    """
    earlier = order.shipments.filter(status__in=SHIPPED_STATUSES).exclude(pk=shipment.pk)
    if completes_order:
        already = sum((value for value in earlier.values_list("value", flat=True)), ZERO)
        return max(ZERO, order.grand_total - already)
    lines_value = sum(
        (line.order_line.unit_price * line.quantity for line in shipment.lines.all()), ZERO
    )
    share = lines_value / order.subtotal if order.subtotal else Decimal(0)
    value = lines_value + share * (order.tax_total - order.discount_total)
    if not earlier.exists():
        value += order.shipping_total
    return to_money(max(ZERO, value))


def now():
    return timezone.now()


STATUS_PHRASES = {
    "exception": "in exception with the carrier",
    "label_pending": "waiting for its label",
}


def status_phrase(shipment: Shipment) -> str:
    """The parcel's state as it reads in a sentence ("it is shipped", "it is in exception …")."""
    return STATUS_PHRASES.get(shipment.status, shipment.get_status_display().lower())
