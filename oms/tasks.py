from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from oms.models import IdempotencyKey, WebhookDelivery
from oms.services import worker_heartbeat_record
from oms.webhooks import webhook_delivery_attempt, webhook_event_dispatch, webhook_sweep
from oms.webhooks.retention import webhook_history_purge

# Clients may retry with the same Idempotency-Key for at least this long.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)

# A dropped connection or a lock timeout is worth another try; anything else is a bug to see.
TRANSIENT_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": settings.CELERY_MAX_COUNTDOWN_SECONDS,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True)
def record_worker_heartbeat(self) -> None:
    hostname = "in-process" if self.request.is_eager else self.request.hostname
    worker_heartbeat_record(hostname=hostname)


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(**TRANSIENT_RETRY)
def dispatch_webhook_event(event_id: int) -> None:
    webhook_event_dispatch(event_id=event_id)


@shared_task(**TRANSIENT_RETRY)
def deliver_webhook(delivery_id: int) -> None:
    try:
        delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    except WebhookDelivery.DoesNotExist:
        return  # Its endpoint was deleted: nothing is owed any more.
    # Only the call that made the attempt schedules the next one, so a duplicate message
    # (from the sweeper, or a redelivery) cannot start a second chain of retries.
    if delivery.attempted and delivery.status == WebhookDelivery.Status.PENDING:
        countdown = max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds())
        deliver_webhook.apply_async((delivery_id,), countdown=countdown)


@shared_task
def sweep_webhooks() -> None:
    webhook_sweep()


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def purge_webhook_history() -> int:
    return webhook_history_purge()


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def purge_idempotency_keys() -> int:
    """Keys are kept at least 24 hours, then purged."""
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    ).delete()
    return deleted
