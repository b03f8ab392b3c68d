from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from oms.tasks import TRANSIENT_RETRY
from orders.channels.inbox import channel_receipts_retry
from orders.services import (
    order_confirmation_send,
    order_confirmation_sweep,
    order_confirmations_send_owed,
    orders_backordered_product_ids,
    orders_note_late,
    orders_reprocess_backordered,
)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, OSError),  # OSError covers the SMTP errors
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_MAX_COUNTDOWN_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def send_order_confirmation(self, order_id: int) -> bool:
    """In-process (no broker) no other worker can hold the lease: a leftover one is ignored."""
    return order_confirmation_send(order_id=order_id, ignore_lease=self.request.is_eager)


@shared_task(
    autoretry_for=(OperationalError, OSError),  # OSError covers the SMTP errors
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_MAX_COUNTDOWN_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def send_owed_confirmations() -> int:
    """The batch captures ask for: every confirmation owed (see orders.services.notifications)."""
    return order_confirmations_send_owed()


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_confirmations() -> int:
    """Re-send the nudge for confirmations owed for a while (a lost message or dead worker)."""
    return order_confirmation_sweep()


@shared_task(**TRANSIENT_RETRY)
def reprocess_backorders(product_ids: list[int]) -> list[str]:
    return orders_reprocess_backordered(product_ids=set(product_ids))


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_backorders() -> list[str]:
    """The stock-arrival signal is only a nudge: this finds backorders that could now ship."""
    product_ids = orders_backordered_product_ids()
    return orders_reprocess_backordered(product_ids=product_ids) if product_ids else []


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def retry_channel_receipts() -> list[int]:
    """Channel deliveries that failed on our side get another go (see orders.channels.inbox)."""
    return channel_receipts_retry()


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def note_late_orders() -> list[str]:
    """Write on each order's timeline, once, that it turned late."""
    return orders_note_late()
