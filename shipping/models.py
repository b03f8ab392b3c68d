"""Carriers and their methods and rates, shipments and their lines, pick lists, tracking.

`Shipment.status` is a protected django-fsm field:

    pending → packed → label_pending → label_ready → shipped → in_transit → delivered
    exception (from shipped or in transit; back to in transit, or delivered)
    cancelled (only before shipped)

`label_pending` is owed work: the label is made by a worker, and the sweeper re-nudges a
shipment that stays there. A shipment may also ship straight from pending or packed when a 3PL
confirms it with its own tracking number.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.money import MONEY, ZERO
from oms.roles import Role, user_has_role


class Carrier(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    # Which adapter talks to it (`SHIPPING_CARRIERS`): "sandbox" in development and demos.
    adapter = models.CharField(max_length=30, default="sandbox")
    # Where a customer follows a parcel: "https://track.example.com/?n={tracking_number}".
    tracking_url_template = models.CharField(max_length=300, blank=True, default="")
    # Signs the carrier's tracking webhooks (`X-OMS-Signature`); none: every event is refused.
    webhook_secret = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, tracking_number: str) -> str:
        if not tracking_number or not self.tracking_url_template:
            return ""
        return self.tracking_url_template.replace("{tracking_number}", tracking_number)


class Destination(models.TextChoices):
    DOMESTIC = "domestic", "Domestic"
    INTERNATIONAL = "international", "International"


class ShippingMethod(TimeStampedModel):
    """A carrier's service (Ground, Express …): where it goes, how fast, what it costs."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="methods")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    domestic = models.BooleanField(default=True, help_text="Ships within the warehouse's country.")
    international = models.BooleanField(default=False, help_text="Ships abroad.")
    transit_days_domestic = models.PositiveSmallIntegerField(default=3)
    transit_days_international = models.PositiveSmallIntegerField(default=7)
    # Orders whose subtotal reaches this ship free with this method.
    free_over = models.DecimalField(**MONEY, null=True, blank=True)
    max_weight_grams = models.PositiveIntegerField(null=True, blank=True)
    # The carrier collects parcels for this method until this time of day (shop time zone);
    # packed later, a parcel leaves the next business day. Empty: collected any time.
    pickup_cutoff = models.TimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["carrier__name", "name"]

    def __str__(self) -> str:
        return f"{self.carrier.name} {self.name}"


class ShippingRate(models.Model):
    """One weight band of a method's price: `base + per_kg × kg` up to `up_to_grams`."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    up_to_grams = models.PositiveIntegerField()
    base = models.DecimalField(**MONEY)
    per_kg = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        ordering = ["method", "destination", "up_to_grams"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "destination", "up_to_grams"], name="shipping_rate_band_unique"
            ),
            models.CheckConstraint(
                condition=Q(base__gte=0) & Q(per_kg__gte=0), name="shipping_rate_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method.code} {self.destination} ≤ {self.up_to_grams} g"


class PickList(TimeStampedModel):
    """The orders one picker collects in one walk through a warehouse, by bin."""

    # Set right after insert from the id (PL-000042).
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="pick_lists"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number or f"pick list #{self.pk}"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PACKED = "packed", "Packed"
    LABEL_PENDING = "label_pending", "Label pending"
    LABEL_READY = "label_ready", "Label ready"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    EXCEPTION = "exception", "Exception"
    CANCELLED = "cancelled", "Cancelled"


S = ShipmentStatus
# Not shipped yet: may be changed or cancelled, and its units are still allocated.
UNSHIPPED_STATUSES = (S.PENDING, S.PACKED, S.LABEL_PENDING, S.LABEL_READY)
# On its way (or there): the stock left.
SHIPPED_STATUSES = (S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION)


def system_only(shipment, user) -> bool:
    """Decided by a worker or the carrier, never by a person directly."""
    return user is None


def may_fulfill(shipment, user) -> bool:
    return user is None or user_has_role(user, Role.FULFILLMENT, Role.MANAGER)


def may_cancel(shipment, user) -> bool:
    return user is None or user_has_role(user, Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)


class ShipmentQuerySet(models.QuerySet):
    def unshipped(self):
        return self.filter(status__in=UNSHIPPED_STATUSES)

    def exceptions(self):
        return self.filter(status=S.EXCEPTION)


class Shipment(FSMModelMixin, TimeStampedModel):
    """One parcel: what of an order leaves one warehouse together, by one method."""

    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments"
    )
    pick_list = models.ForeignKey(
        PickList, on_delete=models.SET_NULL, null=True, blank=True, related_name="shipments"
    )
    method = models.ForeignKey(
        ShippingMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="shipments"
    )
    status = FSMField(default=S.PENDING, choices=ShipmentStatus.choices, protected=True)
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    weight_grams = models.PositiveIntegerField(default=0)
    # What the method charges for this parcel (the rate quoted when it was chosen).
    cost = models.DecimalField(**MONEY, default=ZERO)
    # The part of the order's total this parcel carries (its lines with their share of tax and
    # discount, plus shipping on the first parcel): what shipping it captures.
    value = models.DecimalField(**MONEY, default=ZERO)
    currency = models.CharField(max_length=3, default="USD")
    # When the carrier's transit time says it arrives, from the day it ships.
    promised_at = models.DateTimeField(null=True, blank=True)
    # The label: a 4×6 PDF in the default storage, and the same as ZPL for thermal printers.
    label_pdf = models.FileField(upload_to="labels/", blank=True)
    label_zpl = models.TextField(blank=True, default="")
    label_requested_at = models.DateTimeField(null=True, blank=True)
    label_attempts = models.PositiveIntegerField(default=0)
    label_error = models.CharField(max_length=500, blank=True, default="")
    # While a worker asks the carrier for the label, the end of its lease.
    label_leased_until = models.DateTimeField(null=True, blank=True)
    # The tracking email is owed from shipping until it is sent.
    notify_due = models.BooleanField(default=False)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_number"],
                condition=~Q(tracking_number=""),
                name="shipment_tracking_number_unique",
            ),
            models.CheckConstraint(condition=Q(status__in=S.values), name="shipment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="shipment_order"),
            models.Index(fields=["status", "-created_at", "-id"], name="shipment_status_created"),
            models.Index(fields=["warehouse", "-created_at", "-id"], name="shipment_wh_created"),
            models.Index(fields=["-created_at", "-id"], name="shipment_created"),
            models.Index(fields=["shipped_at", "id"], name="shipment_shipped"),
            models.Index(
                fields=["label_requested_at", "id"],
                condition=Q(status="label_pending"),
                name="shipment_label_owed",
            ),
            models.Index(
                fields=["shipped_at", "id"],
                condition=Q(notify_due=True),
                name="shipment_notify_due",
            ),
            # Parcels stuck with the carrier, oldest first (the dashboard): a small slice.
            models.Index(
                fields=["shipped_at", "id"],
                condition=Q(status=S.EXCEPTION),
                name="shipment_exception",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"shipment #{self.pk}"

    @property
    def weight_kg(self) -> Decimal:
        return Decimal(self.weight_grams) / 1000

    @property
    def tracking_url(self) -> str:
        return self.method.carrier.tracking_url(self.tracking_number) if self.method else ""

    # --- lifecycle (state only; `shipping.services` does the rest) -------------------------

    @transition(field=status, source=S.PENDING, target=S.PACKED, permission=may_fulfill)
    def pack(self):
        pass

    @transition(field=status, source=S.PACKED, target=S.LABEL_PENDING, permission=may_fulfill)
    def request_label(self):
        pass

    @transition(field=status, source=S.LABEL_PENDING, target=S.LABEL_READY, permission=system_only)
    def label_made(self):
        pass

    @transition(field=status, source=S.LABEL_PENDING, target=S.PACKED, permission=system_only)
    def label_refused(self):
        """The carrier refused the parcel (too heavy, no postal code): fix it and ask again."""

    @transition(
        field=status, source=list(UNSHIPPED_STATUSES), target=S.SHIPPED, permission=may_fulfill
    )
    def ship(self):
        pass

    @transition(
        field=status, source=[S.SHIPPED, S.EXCEPTION], target=S.IN_TRANSIT, permission=system_only
    )
    def mark_in_transit(self):
        pass

    @transition(
        field=status, source=[S.SHIPPED, S.IN_TRANSIT], target=S.EXCEPTION, permission=system_only
    )
    def mark_exception(self):
        pass

    @transition(
        field=status,
        source=[S.SHIPPED, S.IN_TRANSIT, S.EXCEPTION],
        target=S.DELIVERED,
        permission=system_only,
    )
    def deliver(self):
        pass

    @transition(
        field=status, source=list(UNSHIPPED_STATUSES), target=S.CANCELLED, permission=may_cancel
    )
    def cancel(self):
        pass


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField()
    # Units scanned into the parcel while packing.
    quantity_packed = models.PositiveIntegerField(default=0)
    # Copies kept for the dashboard's units shipped per SKU over a period, which then reads one
    # index instead of joining a million parcels to their order lines: the order line's SKU
    # (set when the line is made) and the parcel's `shipped_at` (set when it ships).
    sku = models.CharField(max_length=64, blank=True, default="")
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_packed__lte=F("quantity")),
                name="shipment_line_packed_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}"


class TrackingEvent(models.Model):
    """What the carrier said about a parcel, in the order it happened."""

    class Kind(models.TextChoices):
        INFO = "info", "Information"
        IN_TRANSIT = "in_transit", "In transit"
        OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
        DELIVERED = "delivered", "Delivered"
        EXCEPTION = "exception", "Exception"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, default="")
    description = models.CharField(max_length=500, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            # A carrier re-sending the same event (a webhook retry) adds nothing.
            models.UniqueConstraint(
                fields=["shipment", "status", "occurred_at", "description"],
                name="tracking_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"


class CarrierEventReceipt(models.Model):
    """Every signed tracking delivery a carrier sent, kept as received before it is applied, so
    an event for a parcel we cannot match (yet) is never lost, and a retry is recognised."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        DUPLICATE = "duplicate", "Duplicate (already recorded)"
        UNMATCHED = "unmatched", "No shipment has this tracking number"
        INVALID = "invalid", "Invalid event"

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="receipts")
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")
    shipment = models.ForeignKey(
        Shipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["carrier", "-received_at"], name="carrier_receipt_time"),
            models.Index(fields=["tracking_number"], name="carrier_receipt_tracking"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.code} {self.tracking_number or '(no tracking number)'}"
