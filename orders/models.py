"""Channels, customers, orders and their lines, allocations, holds, timeline and idempotency keys.

`Order.status` is a protected django-fsm field: it changes only through the `@transition`
methods below, which change the state and nothing else. `orders.services` runs them.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from inventory.models import Product, StockLevel
from oms.models import ApiClient, TimeStampedModel
from oms.roles import Role, user_has_role

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class SalesChannel(TimeStampedModel):
    class Kind(models.TextChoices):
        WEB = "web", "Web store"
        MARKETPLACE = "marketplace", "Marketplace"
        POS = "pos", "Point of sale"
        MANUAL = "manual", "Manual"

    class CapturePolicy(models.TextChoices):
        ON_SHIP = "on_ship", "Capture payment when shipped"
        ON_CONFIRM = "on_confirm", "Capture payment when confirmed"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WEB)
    currency = models.CharField(max_length=3, default="USD")
    sla_hours = models.PositiveIntegerField(default=48, help_text="Hours from placement to ship.")
    webhook_secret = models.CharField(max_length=200, blank=True, default="")
    capture_policy = models.CharField(
        max_length=20, choices=CapturePolicy.choices, default=CapturePolicy.ON_SHIP
    )
    review_threshold = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Orders above this total are held for review."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ChannelApiKey(models.Model):
    """An API key that captures and reads orders for one channel only."""

    client = models.OneToOneField(ApiClient, on_delete=models.CASCADE, related_name="channel_link")
    channel = models.ForeignKey(SalesChannel, on_delete=models.CASCADE, related_name="api_keys")

    def __str__(self) -> str:
        return f"{self.channel} key {self.client.key_prefix}…"


class Customer(TimeStampedModel):
    email = models.EmailField(unique=True, help_text="Stored lower-case; one customer per email.")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["email"]
        indexes = [
            models.Index(Upper("last_name"), name="customer_last_name_upper"),
            models.Index(Upper("first_name"), name="customer_first_name_upper"),
            models.Index(fields=["phone"], name="customer_phone"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Address(models.Model):
    """An address as given with one order (a snapshot: editing it never touches other orders)."""

    name = models.CharField(max_length=200, blank=True, default="")
    company = models.CharField(max_length=200, blank=True, default="")
    line1 = models.CharField(max_length=200, blank=True, default="")
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    # As given: anything but an ISO-3166 alpha-2 code holds the order `address_invalid`.
    country = models.CharField(max_length=60, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")

    FIELDS = ("name", "company", "line1", "line2", "city", "region", "postal_code", "country")
    FIELDS += ("phone",)

    def __str__(self) -> str:
        parts = [self.name, self.line1, self.city, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)

    def as_dict(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}


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
UNSHIPPED_STATUSES = (S.DRAFT, *OPEN_STATUSES[:-1])


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


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def late(self, now=None):
        return self.filter(status__in=OPEN_STATUSES[:-1], ship_by__lt=now or timezone.now())

    def needs_attention(self):
        return self.filter(status=S.ON_HOLD)


class Order(FSMModelMixin, TimeStampedModel):
    class PaymentStatus(models.TextChoices):
        NONE = "none", "No payment"
        PENDING = "pending", "Pending"
        AUTHORIZED = "authorized", "Authorized"
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
    discount_total = models.DecimalField(**MONEY, default=ZERO)
    grand_total = models.DecimalField(**MONEY, default=ZERO)
    status = FSMField(default=S.DRAFT, choices=OrderStatus.choices, protected=True)
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
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
    placed_at = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(null=True, blank=True)
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
            models.Index(fields=["-grand_total", "-id"], name="order_total"),
            models.Index(fields=["email"], name="order_email"),
            models.Index(fields=["updated_at", "id"], name="order_updated"),
            models.Index(fields=["external_id"], name="order_external_id"),
        ]

    def __str__(self) -> str:
        return self.number or f"order #{self.pk}"

    @property
    def is_late(self) -> bool:
        return bool(
            self.ship_by and self.status in OPEN_STATUSES[:-1] and self.ship_by < timezone.now()
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
        source=[S.PENDING, S.READY, S.BACKORDERED, S.FULFILLING],
        target=S.ON_HOLD,
        permission=staff_may_hold,
    )
    def hold(self):
        pass

    @transition(field=status, source=S.ON_HOLD, target=S.PENDING, permission=staff_may_release)
    def release(self):
        pass

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


class OrderLine(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Null when the channel sent a SKU we do not know: the order is held `unknown_sku`.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True, default="")
    quantity = models.PositiveIntegerField()
    quantity_cancelled = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_cancelled__lte=models.F("quantity")),
                name="order_line_cancelled_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["sku"], name="order_line_sku")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_open(self) -> int:
        """Units still owed to the customer (ordered minus cancelled)."""
        return self.quantity - self.quantity_cancelled


class Allocation(TimeStampedModel):
    """Units of a line reserved at one warehouse (its stock level)."""

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock_level = models.ForeignKey(
        StockLevel, on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "stock_level"], name="allocation_line_level_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="allocation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id} at level {self.stock_level_id}"


class HoldReason(models.TextChoices):
    ADDRESS_INVALID = "address_invalid", "Address invalid"
    UNKNOWN_SKU = "unknown_sku", "Unknown SKU"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    FRAUD_REVIEW = "fraud_review", "Fraud review"
    CUSTOMER_REQUEST = "customer_request", "Customer request"
    DUPLICATE_SUSPECT = "duplicate_suspect", "Duplicate suspected"
    MANUAL = "manual", "Manual"


class OrderHold(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    reason = models.CharField(max_length=30, choices=HoldReason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placed_at", "id"]
        indexes = [
            models.Index(
                fields=["reason", "order"],
                condition=Q(released_at__isnull=True),
                name="hold_active_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.order_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class OrderEvent(models.Model):
    """One entry of an order's timeline: state changes, notes, inquiries, who did what."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40)
    message = models.CharField(max_length=1000)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, default="system")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "created_at"], name="order_event_timeline"),
            models.Index(fields=["type", "order"], name="order_event_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` and the response it produced, replayed on a retry."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    client_key = models.CharField(max_length=60)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_key}:{self.key}"


class ChannelWebhookReceipt(models.Model):
    """Every order webhook a marketplace sends, kept as received (the inbox).

    Stored before it is processed, so a payload we cannot turn into an order is still here with
    the reason, and a redelivery (same webhook id) is recognised and answered without a new order.
    """

    class Source(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        WOOCOMMERCE = "woocommerce", "WooCommerce"

    class Outcome(models.TextChoices):
        CAPTURED = "captured", "Captured"
        DUPLICATE = "duplicate", "Duplicate (already captured)"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey(SalesChannel, on_delete=models.CASCADE, related_name="receipts")
    source = models.CharField(max_length=20, choices=Source.choices)
    webhook_id = models.CharField(max_length=200, blank=True, default="")
    topic = models.CharField(max_length=100, blank=True, default="")
    external_id = models.CharField(max_length=100, blank=True, default="")
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    error = models.TextField(blank=True, default="")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source", "webhook_id"],
                condition=~Q(webhook_id=""),
                name="webhook_receipt_unique_delivery",
            )
        ]
        indexes = [models.Index(fields=["channel", "-received_at"], name="receipt_channel_time")]

    def __str__(self) -> str:
        return f"{self.source} {self.webhook_id or self.external_id}"


class SavedView(TimeStampedModel):
    """A person's named order-queue filter (the query string of the list URL)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_order_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
