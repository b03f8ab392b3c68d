"""Platform tables: API clients (keys), idempotency keys, worker heartbeats, outbound webhooks."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ApiClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiClient(TimeStampedModel):
    """A holder of an API key. Only a hash of the key is stored; the key is shown once."""

    KEY_PREFIX_LENGTH = 8

    name = models.CharField(max_length=100)
    # The staff user the key acts as; empty for a service key (e.g. a channel's key, linked
    # from the orders app), which has no role of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_clients",
        null=True,
        blank=True,
    )
    key_prefix = models.CharField(max_length=KEY_PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` and the response it produced, replayed on a retry.

    One table for every write endpoint that accepts the header — order capture, refunds,
    payments, shipments and returns — so a key means the same wherever it is sent
    (`oms.idempotency`).
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    client_key = models.CharField(max_length=60)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    # What the request made (an order number), written in the transaction that made it: a
    # request that dies after its commit but before its response is stored leaves this behind,
    # and the retry answers with what was made instead of making it again.
    resource = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_key}:{self.key}"


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker ran the periodic heartbeat task (shown on system status)."""

    hostname = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname


# --- outbound webhooks ------------------------------------------------------------------------

WEBHOOK_EVENTS = (
    "order.created",
    "order.status_changed",
    "shipment.shipped",
    "stock.available_changed",
)


def generate_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class WebhookEndpoint(TimeStampedModel):
    """A receiver of outbound webhooks: where to POST, which events, and the signing secret."""

    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    description = models.CharField(max_length=200, blank=True)
    # Shown to managers so the receiver can verify `X-OMS-Signature`.
    secret = models.CharField(max_length=128, default=generate_webhook_secret)
    events = models.JSONField(default=list, help_text="Event names from WEBHOOK_EVENTS.")
    is_active = models.BooleanField(default=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        from oms.destinations import internal_address_reason

        refusal = internal_address_reason(self.url or "")
        if self.url and refusal:
            raise ValidationError({"url": refusal})
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": "Choose at least one event."})
        unknown = [event for event in self.events if event not in WEBHOOK_EVENTS]
        if unknown:
            raise ValidationError({"events": f"Unknown event: {', '.join(map(str, unknown))}."})
        # One canonical order, so the same subscription always reads the same.
        self.events = [event for event in WEBHOOK_EVENTS if event in self.events]

    def subscribes_to(self, event: str) -> bool:
        return self.is_active and event in self.events


class WebhookEvent(TimeStampedModel):
    """Outbox row: an event owed to subscribers, written in the transaction that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DISPATCHED = "dispatched"

    event = models.CharField(max_length=64)
    # Events sharing a key while pending collapse into one carrying the latest payload. NULL (not
    # "") for events that never coalesce: NULLs are distinct, so the unique index ignores them.
    coalesce_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalesce_key"],
                condition=models.Q(status="pending"),
                name="oms_webhookevent_one_pending_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "dispatched"]),
                name="oms_webhookevent_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="oms_whevent_status_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class WebhookDelivery(TimeStampedModel):
    """One event owed to one endpoint; retried with backoff until it succeeds or the window ends."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Start of the current retry window; a manual retry starts a new one.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="oms_webhookdelivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "succeeded", "failed"]),
                name="oms_webhookdelivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="oms_whdelivery_endpoint_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="oms_whdelivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} of {self.event} to {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One HTTP request made for a delivery. Append-only: `attempted_at` is its creation time."""

    RESPONSE_SNIPPET_LENGTH = 500

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_snippet = models.CharField(max_length=RESPONSE_SNIPPET_LENGTH, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        outcome = self.status_code or "no response"
        return f"attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S} ({outcome})"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
