from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from oms.tasks import TRANSIENT_RETRY
from orders.emails import send_order_confirmation as send_confirmation_email
from orders.models import IdempotencyKey, Order, OrderEvent
from orders.services import orders_backordered_product_ids, orders_reprocess_backordered

IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


@shared_task(**TRANSIENT_RETRY)
def send_order_confirmation(order_id: int) -> None:
    order = Order.objects.select_related("customer", "shipping_address").filter(pk=order_id).first()
    if order is None or not order.email:
        return
    # A redelivered message does not email the customer twice. (No lock is held while the
    # mail server is talked to; two workers racing on one message is the price of that.)
    if OrderEvent.objects.filter(order=order, type="email_sent").exists():
        return
    send_confirmation_email(order=order)


@shared_task(**TRANSIENT_RETRY)
def reprocess_backorders(product_ids: list[int]) -> list[str]:
    return orders_reprocess_backordered(product_ids=set(product_ids))


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_backorders() -> list[str]:
    """The stock-arrival signal is only a nudge: this finds backorders that could now ship."""
    product_ids = orders_backordered_product_ids()
    return orders_reprocess_backordered(product_ids=product_ids) if product_ids else []


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def purge_idempotency_keys() -> int:
    """Keys are kept at least 24 hours, then purged."""
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    ).delete()
    return deleted
