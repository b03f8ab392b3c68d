"""Sales channels, their API keys, and the inbox of marketplace order webhooks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from oms.models import ApiClient, TimeStampedModel
from oms.money import MONEY
from oms.validators import CURRENCY_CODE_MESSAGE, is_currency_code, normalize_currency


class WebhookPlatform(models.TextChoices):
    """The marketplaces whose order webhooks the OMS takes."""

    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"


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
    # Both marketplaces sign the same way, so without this a WooCommerce secret would also
    # open the Shopify door (and feed it a payload that door reads differently).
    webhook_platform = models.CharField(
        max_length=20,
        choices=WebhookPlatform.choices,
        blank=True,
        default="",
        help_text="The marketplace whose order webhooks the webhook secret verifies; "
        "it opens no other door.",
    )
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

    def clean(self) -> None:
        # Stored as the ISO 4217 code (upper-case) whoever types it: the command, the admin.
        self.currency = normalize_currency(self.currency)
        if not is_currency_code(self.currency):
            raise ValidationError({"currency": CURRENCY_CODE_MESSAGE})


class ChannelApiKey(models.Model):
    """An API key that captures and reads orders for one channel only."""

    client = models.OneToOneField(ApiClient, on_delete=models.CASCADE, related_name="channel_link")
    channel = models.ForeignKey(SalesChannel, on_delete=models.CASCADE, related_name="api_keys")

    def __str__(self) -> str:
        return f"{self.channel} key {self.client.key_prefix}…"


class ChannelWebhookReceipt(models.Model):
    """Every order webhook a marketplace sends, kept as received (the inbox).

    Stored before anything else happens, so a delivery we cannot turn into an order is still
    here with the reason and can be replayed; a redelivery (same webhook id, same body) is
    recognised and answered without a new order, and the same id with another body is kept
    too, flagged (`conflicts_with`).
    """

    Source = WebhookPlatform

    class Outcome(models.TextChoices):
        CAPTURED = "captured", "Captured"
        DUPLICATE = "duplicate", "Duplicate (already captured)"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey(SalesChannel, on_delete=models.CASCADE, related_name="receipts")
    source = models.CharField(max_length=20, choices=WebhookPlatform.choices)
    webhook_id = models.CharField(max_length=200, blank=True, default="")
    topic = models.CharField(max_length=100, blank=True, default="")
    external_id = models.CharField(max_length=100, blank=True, default="")
    # The body exactly as signed. Bytes, because PostgreSQL's text and jsonb refuse NUL and lone
    # surrogates: whatever arrived can be shown and replayed.
    raw_body = models.BinaryField(default=b"")
    body_sha256 = models.CharField(max_length=64, blank=True, default="")
    # The parsed body ({} when it could not be parsed or stored as JSON).
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    error = models.TextField(blank=True, default="")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
    )
    # The first delivery under the same webhook id, when this one came with another body.
    conflicts_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conflicting_deliveries",
    )
    received_at = models.DateTimeField(default=timezone.now)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source", "webhook_id", "body_sha256"],
                condition=~Q(webhook_id=""),
                name="webhook_receipt_unique_delivery",
            )
        ]
        indexes = [
            models.Index(fields=["channel", "-received_at"], name="receipt_channel_time"),
            # The inbox: failed and unfinished deliveries, newest first.
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(outcome__in=["failed", ""]),
                name="receipt_unsettled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.webhook_id or self.external_id}"
