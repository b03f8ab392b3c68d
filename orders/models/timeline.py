"""What happened to an order: holds and the timeline of events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from oms.models import TimeStampedModel
from orders.models.orders import Order


class HoldReason(models.TextChoices):
    ADDRESS_INVALID = "address_invalid", "Address invalid"
    UNKNOWN_SKU = "unknown_sku", "Unknown SKU"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    FRAUD_REVIEW = "fraud_review", "Fraud review"
    CUSTOMER_REQUEST = "customer_request", "Customer request"
    DUPLICATE_SUSPECT = "duplicate_suspect", "Duplicate suspected"
    # A channel sent figures, an email or a date we could not store as given.
    INVALID_DATA = "invalid_data", "Invalid data"
    MANUAL = "manual", "Manual"


class OrderHold(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    reason = models.CharField(max_length=30, choices=HoldReason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a channel's API key placed the hold: such a key may release only its own holds.
    placed_by_channel = models.ForeignKey(
        "orders.SalesChannel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
