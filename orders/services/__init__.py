"""Every write to orders. Import from here: `from orders.services import order_capture`."""

from orders.services.bulk import BulkOutcome, orders_bulk_apply
from orders.services.capture import (
    AddressData,
    CaptureRequest,
    LineData,
    customer_for,
    order_capture,
)
from orders.services.edits import (
    order_address_update,
    order_line_add,
    order_line_cancel,
    order_line_remove,
    order_line_set_quantity,
)
from orders.services.fulfillment import (
    ShippedUnits,
    order_mark_delivered,
    order_record_return,
    order_record_shipment,
    order_shipment_exception_set,
    order_start_fulfillment,
    orders_note_late,
)
from orders.services.keys import channel_api_key_create, sales_channel_upsert
from orders.services.lifecycle import (
    order_cancel,
    order_hold,
    order_hold_release,
    order_inquiry_log,
    order_note_add,
    orders_backordered_product_ids,
    orders_reprocess_backordered,
)
from orders.services.notifications import (
    order_confirmation_send,
    order_confirmation_sweep,
    order_confirmations_nudge,
    order_confirmations_send_owed,
)
from orders.services.payment_status import balance_due_for, order_payment_status_set

__all__ = [
    "AddressData",
    "BulkOutcome",
    "CaptureRequest",
    "LineData",
    "ShippedUnits",
    "balance_due_for",
    "channel_api_key_create",
    "customer_for",
    "order_address_update",
    "order_cancel",
    "order_capture",
    "order_confirmation_send",
    "order_confirmation_sweep",
    "order_confirmations_nudge",
    "order_confirmations_send_owed",
    "order_hold",
    "order_hold_release",
    "order_inquiry_log",
    "order_line_add",
    "order_line_cancel",
    "order_line_remove",
    "order_line_set_quantity",
    "order_mark_delivered",
    "order_note_add",
    "order_payment_status_set",
    "order_record_return",
    "order_record_shipment",
    "order_shipment_exception_set",
    "order_start_fulfillment",
    "orders_backordered_product_ids",
    "orders_bulk_apply",
    "orders_note_late",
    "orders_reprocess_backordered",
    "sales_channel_upsert",
]
