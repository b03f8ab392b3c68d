"""The sweeper: owed gateway calls whose nudge was lost (or whose worker died) are sent again."""

from datetime import datetime, timedelta

from django.utils import timezone

from payments.models import PaymentTransaction
from payments.services.common import enqueue_transaction

# Owed this long past its due time (or past a dead worker's lease), a call is nudged again.
SWEEP_OVERDUE_GRACE = timedelta(minutes=2)
SWEEP_BATCH_SIZE = 500


def payment_sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue overdue owed calls, oldest first; returns how many were nudged."""
    now = now or timezone.now()
    overdue = list(
        PaymentTransaction.objects.filter(
            status=PaymentTransaction.Status.REQUESTED,
            next_attempt_at__lt=now - SWEEP_OVERDUE_GRACE,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for transaction_id in overdue:
        enqueue_transaction(transaction_id)
    return len(overdue)
