"""The orders app's tables, one module per part of the domain; import them from here."""

from orders.models.channels import (
    ChannelApiKey,
    ChannelWebhookReceipt,
    SalesChannel,
    WebhookPlatform,
)
from orders.models.customers import Address, Customer
from orders.models.lines import Allocation, OrderLine
from orders.models.orders import (
    HOLDABLE_STATUSES,
    LATE_CANDIDATE_STATUSES,
    OPEN_STATUSES,
    RESUMED_STATUSES,
    Order,
    OrderQuerySet,
    OrderStatus,
    may_cancel,
    may_edit,
    may_fulfill,
    may_place,
    staff_may_hold,
    staff_may_release,
    system_only,
)
from orders.models.requests import SavedView
from orders.models.timeline import HoldReason, OrderEvent, OrderHold

__all__ = [
    "HOLDABLE_STATUSES",
    "LATE_CANDIDATE_STATUSES",
    "OPEN_STATUSES",
    "RESUMED_STATUSES",
    "Address",
    "Allocation",
    "ChannelApiKey",
    "ChannelWebhookReceipt",
    "Customer",
    "HoldReason",
    "Order",
    "OrderEvent",
    "OrderHold",
    "OrderLine",
    "OrderQuerySet",
    "OrderStatus",
    "SalesChannel",
    "SavedView",
    "WebhookPlatform",
    "may_cancel",
    "may_edit",
    "may_fulfill",
    "may_place",
    "staff_may_hold",
    "staff_may_release",
    "system_only",
]
