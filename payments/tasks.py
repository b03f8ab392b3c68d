"""Thin tasks: make an owed gateway call; sweep for calls whose nudge was lost."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from oms.tasks import TRANSIENT_RETRY
from payments.models import PaymentTransaction
from payments.services import payment_sweep, payment_transaction_execute


@shared_task(bind=True, **TRANSIENT_RETRY)
def execute_payment_transaction(self, transaction_id: int) -> str:
    """Call the gateway once; after a transient error, schedule the next try.

    In-process (no broker) there is no one to come back later, so the retries run at once.
    """
    try:
        txn = payment_transaction_execute(
            transaction_id=transaction_id, ignore_schedule=self.request.is_eager
        )
    except PaymentTransaction.DoesNotExist:
        return "missing"
    # Only the call that reached the gateway schedules the next one, so a duplicate message
    # (the sweeper's, a redelivery) cannot start a second chain of retries.
    if txn.attempted and txn.status == PaymentTransaction.Status.REQUESTED:
        countdown = max(0.0, (txn.next_attempt_at - timezone.now()).total_seconds())
        execute_payment_transaction.apply_async((transaction_id,), countdown=countdown)
    return txn.status


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_payments() -> int:
    return payment_sweep()
