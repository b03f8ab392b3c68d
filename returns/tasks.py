"""Thin tasks: make a return label, send a decision email, sweep what was owed too long."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from oms.tasks import TRANSIENT_RETRY
from returns.models import ReturnRequest
from returns.services import return_email_send, return_label_make, returns_sweep

EAGER_LABEL_ATTEMPTS = 3


@shared_task(bind=True, **TRANSIENT_RETRY)
def make_return_label(self, rma_id: int) -> str:
    rma = return_label_make(rma_id=rma_id, ignore_schedule=self.request.is_eager)
    if rma is None:
        return "not owed"
    pending = rma.label_status == ReturnRequest.LabelStatus.PENDING
    # In-process there is no one to come back later: a few tries at once, then the sweeper.
    patient = not self.request.is_eager or rma.label_attempts < EAGER_LABEL_ATTEMPTS
    if getattr(rma, "attempted", False) and pending and patient:
        countdown = max(0.0, (rma.label_leased_until - timezone.now()).total_seconds())
        make_return_label.apply_async((rma_id,), countdown=countdown)
    return rma.label_status


@shared_task(
    autoretry_for=(OperationalError, OSError),  # OSError covers the SMTP errors
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def send_return_email(rma_id: int) -> bool:
    return return_email_send(rma_id=rma_id)


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_returns() -> dict:
    return returns_sweep()
