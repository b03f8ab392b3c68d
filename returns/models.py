"""Return authorizations (RMAs) and their lines.

`ReturnRequest.status` is a protected django-fsm field:

    requested → approved | rejected
    approved → received (the first units arrive; more may follow while it is received)
    received → refunded | exchanged
    refunded, exchanged, rejected → closed

Units promised by an open return (requested, approved, received and not yet settled) count
against what may still be returned; received units move to the order line's stored
`quantity_returned`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.money import MONEY
from oms.roles import Role, user_has_role


class ReturnReason(models.TextChoices):
    DEFECTIVE = "defective", "Defective"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    CHANGED_MIND = "changed_mind", "Changed mind"
    DAMAGED_IN_TRANSIT = "damaged_in_transit", "Damaged in transit"
    OTHER = "other", "Other"


class Resolution(models.TextChoices):
    REFUND = "refund", "Refund"
    EXCHANGE = "exchange", "Exchange"


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    RECEIVED = "received", "Received"
    REFUNDED = "refunded", "Refunded"
    EXCHANGED = "exchanged", "Exchanged"
    CLOSED = "closed", "Closed"


class Condition(models.TextChoices):
    SELLABLE = "sellable", "Sellable (restock)"
    DAMAGED = "damaged", "Damaged (not restocked)"


R = ReturnStatus
# Still holding units of the order's lines (they may not be returned twice).
OPEN_STATUSES = (R.REQUESTED, R.APPROVED, R.RECEIVED)


def may_decide(rma, user) -> bool:
    """Support and managers open, approve, reject, refund, exchange and close returns."""
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def may_receive(rma, user) -> bool:
    """The warehouse receives returned parcels (managers too)."""
    return user is None or user_has_role(user, Role.FULFILLMENT, Role.MANAGER)


class ReturnRequest(FSMModelMixin, TimeStampedModel):
    """A return authorization: what the customer sends back, why, and how it is settled."""

    class LabelStatus(models.TextChoices):
        NONE = "none", "No label"
        PENDING = "pending", "Being made"
        READY = "ready", "Ready"
        REFUSED = "refused", "Refused by the carrier"

    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    status = FSMField(default=R.REQUESTED, choices=ReturnStatus.choices, protected=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices)
    # What the customer said, in their words (or support's summary of them).
    note = models.CharField(max_length=1000, blank=True, default="")
    # For an exchange: the SKUs and quantities wanted instead, [{"sku", "quantity"}].
    exchange_request = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True, default="")
    # Where sellable units go back on the shelf (default: the warehouse they shipped from).
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.DecimalField(**MONEY, null=True, blank=True)
    # The refund included the order's shipping charge (refunded once per order at most).
    shipping_refunded = models.BooleanField(default=False)
    refunded_at = models.DateTimeField(null=True, blank=True)
    replacement_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_return",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The return label the customer prints (owed to a worker while `pending`).
    label_status = models.CharField(
        max_length=20, choices=LabelStatus.choices, default=LabelStatus.NONE
    )
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    label_pdf = models.FileField(upload_to="return-labels/", blank=True)
    label_error = models.CharField(max_length=500, blank=True, default="")
    label_attempts = models.PositiveIntegerField(default=0)
    label_leased_until = models.DateTimeField(null=True, blank=True)
    # The customer email owed ("approved", "rejected", or "label" once the label is ready),
    # cleared once sent; `label_emailed` says the customer has the label.
    email_due = models.CharField(max_length=20, blank=True, default="")
    label_emailed = models.BooleanField(default=False)
    # False for returns that are not news to the customer (demo data, imports): no emails.
    notify_customer = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=R.values), name="return_status_valid"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0),
                name="return_refund_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="return_status_created"),
            models.Index(fields=["order", "id"], name="return_order"),
            models.Index(fields=["-created_at", "-id"], name="return_created"),
            models.Index(
                fields=["created_at", "id"], condition=~Q(email_due=""), name="return_email_due"
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=Q(label_status="pending"),
                name="return_label_owed",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"return #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- lifecycle (state only; `returns.services` does the rest) --------------------------

    @transition(field=status, source=R.REQUESTED, target=R.APPROVED, permission=may_decide)
    def approve(self):
        pass

    @transition(field=status, source=R.REQUESTED, target=R.REJECTED, permission=may_decide)
    def reject(self):
        pass

    @transition(field=status, source=R.APPROVED, target=R.RECEIVED, permission=may_receive)
    def receive(self):
        """The first units arrived (later ones are recorded while it stays received)."""

    @transition(field=status, source=R.RECEIVED, target=R.REFUNDED, permission=may_decide)
    def refund(self):
        pass

    @transition(field=status, source=R.RECEIVED, target=R.EXCHANGED, permission=may_decide)
    def exchange(self):
        pass

    @transition(
        field=status,
        source=[R.REFUNDED, R.EXCHANGED, R.REJECTED],
        target=R.CLOSED,
        permission=may_decide,
    )
    def close(self):
        pass


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    # The order line's SKU, copied when the return is opened: the dashboard's returns per SKU
    # over a period then never join the order lines (millions of rows).
    sku = models.CharField(max_length=64, blank=True, default="")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=30, choices=ReturnReason.choices)
    # Received so far, by condition: sellable units were restocked, damaged ones were not.
    quantity_sellable = models.PositiveIntegerField(default=0)
    quantity_damaged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["return_request", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="return_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_sellable__lte=F("quantity") - F("quantity_damaged")),
                name="return_line_received_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["reason"], name="return_line_reason")]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id} ({self.reason})"

    @property
    def quantity_received(self) -> int:
        return self.quantity_sellable + self.quantity_damaged

    @property
    def quantity_outstanding(self) -> int:
        """Authorized and not (yet) received."""
        return self.quantity - self.quantity_received
