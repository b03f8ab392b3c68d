"""Every write to shipping. Import from here: `from shipping.services import shipment_ship`."""

from shipping.services.cancellation import (
    shipment_cancel,
    shipments_cancel_for_order,
    shipments_drop_cancelled_units,
)
from shipping.services.creation import (
    PickListResult,
    WantedUnits,
    free_units,
    next_orders_to_pick,
    pick_list_create,
    shipments_create,
)
from shipping.services.dispatch import ShipOutcome, shipment_ship, shipments_ship
from shipping.services.labels import shipment_label_make
from shipping.services.notifications import shipment_notification_send
from shipping.services.packing import (
    ScanResult,
    shipment_label_request,
    shipment_pack,
    shipment_scan,
)
from shipping.services.sweep import label_sweep, notification_sweep, sandbox_carrier_tick
from shipping.services.tracking import (
    CarrierEvent,
    carrier_event_receive,
    parse_event,
    tracking_event_apply,
)

__all__ = [
    "CarrierEvent",
    "PickListResult",
    "ScanResult",
    "ShipOutcome",
    "WantedUnits",
    "carrier_event_receive",
    "free_units",
    "label_sweep",
    "next_orders_to_pick",
    "notification_sweep",
    "parse_event",
    "pick_list_create",
    "sandbox_carrier_tick",
    "shipment_cancel",
    "shipment_label_make",
    "shipment_label_request",
    "shipment_notification_send",
    "shipment_pack",
    "shipment_scan",
    "shipment_ship",
    "shipments_cancel_for_order",
    "shipments_create",
    "shipments_drop_cancelled_units",
    "shipments_ship",
    "tracking_event_apply",
]
