"""The sweeper: return labels and decision emails whose nudge was lost are nudged again."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from returns.models import ReturnRequest
from returns.services.common import _enqueue

OVERDUE = timedelta(minutes=5)
BATCH = 500


def returns_sweep(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    stale = now - OVERDUE
    labels = list(
        ReturnRequest.objects.filter(label_status=ReturnRequest.LabelStatus.PENDING)
        .filter(updated_at__lt=stale)
        .filter(Q(label_leased_until__isnull=True) | Q(label_leased_until__lt=now))
        .values_list("pk", flat=True)[:BATCH]
    )
    emails = list(
        ReturnRequest.objects.exclude(email_due="")
        .filter(updated_at__lt=stale)
        .values_list("pk", flat=True)[:BATCH]
    )
    for rma_id in labels:
        _enqueue("make_return_label", rma_id)
    for rma_id in emails:
        _enqueue("send_return_email", rma_id)
    return {"labels": len(labels), "emails": len(emails)}
