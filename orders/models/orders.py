"""Orders and their lifecycle (lines and allocations are in `orders.models.lines`).

`Order.status` is a protected django-fsm field: it changes only through the `@transition`
methods below, which change the state and nothing else. `orders.services` runs them.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.money import MONEY, ZERO
from oms.roles import Role, user_has_role
from orders.models.channels import SalesChannel
from orders.models.customers import Address, Customer
from orders.sla import AT_RISK_WINDOW


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending"
    ON_HOLD = "on_hold", "On hold"
    BACKORDERED = "backordered", "Backordered"
    READY = "ready", "Ready to fulfill"
    FULFILLING = "fulfilling", "Fulfilling"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


S = OrderStatus
OPEN_STATUSES = (S.PENDING, S.ON_HOLD, S.BACKORDERED, S.READY, S.FULFILLING, S.PARTIALLY_SHIPPED)
# Open and not shipped at all: an order in one of these past its ship-by time is late.
LATE_CANDIDATE_STATUSES = OPEN_STATUSES[:-1]


# Who may run each transition (`permission=` below). `user` is None when the system runs it
# (processing, a channel key, a task).


def system_only(order, user) -> bool:
    """Decided by processing (allocation, stock arrival), never by a person directly."""
    return user is None


def may_place(order, user) -> bool:
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def may_fulfill(order, user) -> bool:
    return user is None or user_has_role(user, Role.FULFILLMENT, Role.MANAGER)


def may_edit(order, user) -> bool:
    """Changing lines or the address: support and managers (or the system)."""
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def staff_may_hold(order, user) -> bool:
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER, Role.FULFILLMENT)


def staff_may_release(order, user) -> bool:
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def may_cancel(order, user) -> bool:
    """Support and managers cancel; a channel key (no user) may cancel its own orders."""
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


# A hold may stop an order anywhere before it is fully shipped.
HOLDABLE_STATUSES = [S.PENDING, S.READY, S.BACKORDERED, S.FULFILLING, S.PARTIALLY_SHIPPED]
# Releasing the last hold resumes these where they were (stock may be picked or shipped).
RESUMED_STATUSES = (S.FULFILLING, S.PARTIALLY_SHIPPED)


def _status_after_hold(order) -> str:
    return order.status_before_hold if order.status_before_hold in RESUMED_STATUSES else S.PENDING


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def late(self, now=None):
        return self.filter(status__in=LATE_CANDIDATE_STATUSES, ship_by__lt=now or timezone.now())

    def at_risk(self, now=None, window=None):
        """Not late yet, but due to ship within `window` (the last hours before ship-by)."""
        now = now or timezone.now()
        return self.filter(
            status__in=LATE_CANDIDATE_STATUSES,
            ship_by__gte=now,
            ship_by__lt=now + (window or AT_RISK_WINDOW),
        )

    def needs_attention(self):
        """On hold, or a shipment of it is stuck with the carrier (an exception)."""
        return self.filter(Q(status=S.ON_HOLD) | Q(shipment_exception=True))


class Order(FSMModelMixin, TimeStampedModel):
    class PaymentStatus(models.TextChoices):
        NONE = "none", "No payment"
        PENDING = "pending", "Pending"
        AUTHORIZED = "authorized", "Authorized"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Failed"

    class FulfillmentStatus(models.TextChoices):
        UNFULFILLED = "unfulfilled", "Unfulfilled"
        PARTIALLY_ALLOCATED = "partially_allocated", "Partially allocated"
        ALLOCATED = "allocated", "Allocated"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class Origin(models.TextChoices):
        CHANNEL = "channel", "Channel"
        MANUAL = "manual", "Manual entry"
        EXCHANGE = "exchange", "Exchange"

    # Set right after insert from the id (SO-000042), so numbering never needs a lock.
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=100, blank=True, default="")
    # The name the channel shows its own staff and customers (Shopify's "#1042", WooCommerce's
    # order number), which customers quote; the search finds the order by it.
    channel_order_name = models.CharField(max_length=100, blank=True, default="")
    # The manual builder's draft this order was placed from. Unique, so a draft posted twice
    # (a double click, two tabs, a retried request) places one order, even when both posts race.
    draft_token = models.CharField(max_length=32, blank=True, default="")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    email = models.EmailField()
    shipping_address = models.OneToOneField(
        Address, on_delete=models.PROTECT, related_name="shipping_order"
    )
    billing_address = models.OneToOneField(
        Address, on_delete=models.PROTECT, related_name="billing_order", null=True, blank=True
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY, default=ZERO)
    shipping_total = models.DecimalField(**MONEY, default=ZERO)
    tax_total = models.DecimalField(**MONEY, default=ZERO)
    # The tax as a share of the subtotal, taken from the captured totals by the first edit that
    # changes the subtotal; that edit and every later one scale the tax by it, so rounding to
    # cents never compounds (empty until then).
    tax_rate = models.DecimalField(
        max_digits=20, decimal_places=12, null=True, blank=True, editable=False
    )
    discount_total = models.DecimalField(**MONEY, default=ZERO)
    grand_total = models.DecimalField(**MONEY, default=ZERO)
    # Units ordered and not cancelled, kept with the totals (the dashboard sums it per period).
    units = models.PositiveIntegerField(default=0)
    status = FSMField(default=S.DRAFT, choices=OrderStatus.choices, protected=True)
    # Where a hold found the order; releasing the last hold returns a fulfilling or partially
    # shipped order there (its stock may be picked already) instead of processing it again.
    status_before_hold = models.CharField(
        max_length=20, choices=OrderStatus.choices, blank=True, default=""
    )
    # Both set only by `orders.services.order_payment_status_set`, which the payments app calls:
    # what was captured minus what was refunded, and what the customer still owes (negative
    # when more was taken than the order is now worth: a refund is owed).
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    amount_paid = models.DecimalField(**MONEY, default=ZERO)
    balance_due = models.DecimalField(**MONEY, default=ZERO)
    fulfillment_status = models.CharField(
        max_length=20, choices=FulfillmentStatus.choices, default=FulfillmentStatus.UNFULFILLED
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.CHANNEL)
    original_order = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacements"
    )
    shipping_method = models.CharField(max_length=50, blank=True, default="")
    allow_backorder = models.BooleanField(default=True)
    # The capture request's payment block, kept for the payments app (order_captured signal).
    payment_request = models.JSONField(default=dict, blank=True)
    # The confirmation email is owed (set in the capture transaction, cleared only after the
    # mail server took it), so a lost task message delays the email and the sweeper still sends
    # it. While a worker sends it, the end of that worker's lease: a worker killed mid-send
    # leaves it owed, and the sweeper takes it up again once the lease has run out.
    confirmation_due = models.BooleanField(default=False)
    confirmation_leased_until = models.DateTimeField(null=True, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(null=True, blank=True)
    # When the last of it shipped (the order became shipped): on-time share and lead times.
    shipped_at = models.DateTimeField(null=True, blank=True)
    # When the SLA sweep noted on the timeline that the order turned late (once per order).
    late_noted_at = models.DateTimeField(null=True, blank=True)
    # A shipment of the order is in exception with the carrier: it needs attention even once
    # shipped (set and cleared by shipping through `order_shipment_exception_set`).
    shipment_exception = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="order_channel_external_id_unique",
            ),
            models.UniqueConstraint(
                fields=["draft_token"],
                condition=~Q(draft_token=""),
                name="order_draft_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(grand_total__gte=0), name="order_total_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["-placed_at", "-id"], name="order_placed"),
            models.Index(fields=["status", "-placed_at", "-id"], name="order_status_placed"),
            models.Index(fields=["channel", "-placed_at", "-id"], name="order_channel_placed"),
            models.Index(fields=["payment_status", "-placed_at"], name="order_payment_placed"),
            models.Index(fields=["ship_by", "id"], name="order_ship_by"),
            models.Index(
                fields=["placed_at"],
                condition=Q(confirmation_due=True),
                name="order_confirmation_due",
            ),
            # The late queue and its count read only open orders: a small slice at any size.
            models.Index(
                fields=["ship_by", "id"],
                condition=Q(status__in=LATE_CANDIDATE_STATUSES),
                name="order_open_ship_by",
            ),
            models.Index(fields=["-grand_total", "-id"], name="order_total"),
            models.Index(
                fields=["id"], condition=Q(shipment_exception=True), name="order_shipment_exception"
            ),
            models.Index(fields=["email"], name="order_email"),
            # The duplicate-suspect rule (`orders.services.rules`) matches
            # UPPER(email) within minutes of placed_at, which order_email cannot serve.
            models.Index(Upper("email"), "placed_at", name="order_email_upper_placed"),
            models.Index(fields=["updated_at", "id"], name="order_updated"),
            models.Index(fields=["external_id"], name="order_external_id"),
            models.Index(Upper("channel_order_name"), name="order_channel_name_upper"),
            # PostgreSQL also has the dashboard's covering indexes, made by migrations 0005
            # and 0006 (`oms.db_indexes`): order_placed_metrics, order_shipped_lead (which
            # replaced order_shipped) and order_open_pipeline; and the search's
            # order_external_id_prefix (upper-case, for "starts with"), made by 0009.
        ]

    def __str__(self) -> str:
        return self.number or f"order #{self.pk}"

    @property
    def is_late(self) -> bool:
        return bool(
            self.ship_by
            and self.status in LATE_CANDIDATE_STATUSES
            and self.ship_by < timezone.now()
        )

    @property
    def is_at_risk(self) -> bool:
        """Not late yet, but due to ship within `AT_RISK_WINDOW` (as `OrderQuerySet.at_risk`)."""
        now = timezone.now()
        return bool(
            self.ship_by
            and self.status in LATE_CANDIDATE_STATUSES
            and now <= self.ship_by < now + AT_RISK_WINDOW
        )

    # --- lifecycle (state only; services do the rest) ---------------------------------------

    @transition(field=status, source=S.DRAFT, target=S.PENDING, permission=may_place)
    def place(self):
        pass

    @transition(field=status, source=S.PENDING, target=S.READY, permission=system_only)
    def mark_ready(self):
        pass

    @transition(field=status, source=S.PENDING, target=S.BACKORDERED, permission=system_only)
    def mark_backordered(self):
        pass

    @transition(
        field=status,
        source=HOLDABLE_STATUSES,
        target=S.ON_HOLD,
        permission=staff_may_hold,
    )
    def hold(self):
        """Stop the order (several holds may stack); `status_before_hold` keeps where it was."""

    @transition(
        field=status,
        source=S.ON_HOLD,
        target=GET_STATE(_status_after_hold, [S.PENDING, *RESUMED_STATUSES]),
        permission=staff_may_release,
    )
    def release(self):
        """Back to fulfilling or partially shipped if it was; else pending, to process again."""

    # Not in DESIGN's table: an edit to lines of a ready or backordered order re-runs processing
    # (release, change, allocate again), which needs a way back to pending.
    @transition(
        field=status, source=[S.READY, S.BACKORDERED], target=S.PENDING, permission=system_only
    )
    def reopen(self):
        pass

    @transition(field=status, source=S.BACKORDERED, target=S.READY, permission=system_only)
    def allocate_backorder(self):
        pass

    @transition(field=status, source=S.READY, target=S.FULFILLING, permission=may_fulfill)
    def start_fulfillment(self):
        pass

    @transition(
        field=status,
        source=[S.READY, S.FULFILLING, S.PARTIALLY_SHIPPED],
        target=S.PARTIALLY_SHIPPED,
        permission=may_fulfill,
    )
    def ship_partially(self):
        pass

    @transition(
        field=status,
        source=[S.READY, S.FULFILLING, S.PARTIALLY_SHIPPED],
        target=S.SHIPPED,
        permission=may_fulfill,
    )
    def ship(self):
        pass

    @transition(field=status, source=S.SHIPPED, target=S.DELIVERED, permission=system_only)
    def deliver(self):
        pass

    @transition(
        field=status,
        source=[S.DRAFT, S.PENDING, S.ON_HOLD, S.BACKORDERED, S.READY, S.FULFILLING],
        target=S.CANCELLED,
        permission=may_cancel,
    )
    def cancel(self):
        pass
