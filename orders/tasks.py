from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from oms.tasks import TRANSIENT_RETRY
from orders.models import Order
from orders.services import (
    order_confirmation_send,
    orders_backordered_product_ids,
    orders_note_late,
    orders_reprocess_backordered,
)

CONFIRMATION_GRACE = timedelta(minutes=10)
SWEEP_BATCH_SIZE = 500


@shared_task(
    autoretry_for=(OperationalError, OSError),  # OSError covers the SMTP errors
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_MAX_COUNTDOWN_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def send_order_confirmation(order_id: int) -> bool:
    return order_confirmation_send(order_id=order_id)


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_confirmations() -> int:
    """Re-send the nudge for confirmations owed for a while (a lost message or dead worker)."""
    overdue = Order.objects.filter(
        confirmation_due=True, placed_at__lt=timezone.now() - CONFIRMATION_GRACE
    ).values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    for order_id in overdue:
        send_order_confirmation.delay(order_id)
    return len(overdue)


@shared_task(**TRANSIENT_RETRY)
def reprocess_backorders(product_ids: list[int]) -> list[str]:
    return orders_reprocess_backordered(product_ids=set(product_ids))


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_backorders() -> list[str]:
    """The stock-arrival signal is only a nudge: this finds backorders that could now ship."""
    product_ids = orders_backordered_product_ids()
    return orders_reprocess_backordered(product_ids=product_ids) if product_ids else []


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def note_late_orders() -> list[str]:
    """Write on each order's timeline, once, that it turned late."""
    return orders_note_late()
