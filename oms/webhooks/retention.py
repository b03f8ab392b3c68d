"""How long the webhook history is kept: finished events older than the retention are purged."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from oms.models import WebhookDelivery, WebhookEvent

PURGE_BATCH_SIZE = 5000


def webhook_history_purge() -> int:
    """Delete dispatched events (with their deliveries and attempts) older than the retention
    whose every delivery has finished; returns how many events went."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    unfinished = WebhookDelivery.objects.filter(
        event=OuterRef("pk"), status=WebhookDelivery.Status.PENDING
    )
    ids = list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.DISPATCHED, created_at__lt=cutoff)
        .exclude(Exists(unfinished))
        .order_by("created_at")
        .values_list("pk", flat=True)[:PURGE_BATCH_SIZE]
    )
    WebhookEvent.objects.filter(pk__in=ids).delete()
    return len(ids)
