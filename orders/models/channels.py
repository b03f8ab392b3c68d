"""Sales channels, their API keys, and the inbox of marketplace order webhooks."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from oms.models import ApiClient, TimeStampedModel
from oms.money import MONEY


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
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
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
