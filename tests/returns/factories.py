"""Returns test data: orders that were paid by card and shipped, as production ships them."""

from decimal import Decimal

from shipping.models import Shipment
from shipping.services import shipment_label_make, shipment_ship, shipments_create
from tests.orders.factories import capture
from tests.payments.factories import card, run_owed


def shipped_order(channel, lines, *, packer, **overrides):
    """Capture with a card, ship everything (one parcel per warehouse) and capture the money."""
    order = capture(channel, lines, payment=card(), **overrides)
    run_owed()
    for shipment in shipments_create(order=order, pack_unscanned=True, actor=packer):
        shipment_label_make(shipment_id=shipment.pk)
        shipment_ship(shipment=Shipment.objects.get(pk=shipment.pk), actor=packer)
    run_owed()
    order.refresh_from_db()
    return order


def money(value: str) -> Decimal:
    return Decimal(value)
