"""Per-client and per-person records: API idempotency keys and saved queue views."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from oms.models import TimeStampedModel


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
