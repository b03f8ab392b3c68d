"""Thin tasks: make a label, send a tracking email, sweep what was owed too long, play the
sandbox carrier in demo mode."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from oms.tasks import TRANSIENT_RETRY
from shipping.models import Shipment, ShipmentStatus
from shipping.services import (
    label_sweep,
    notification_sweep,
    sandbox_carrier_tick,
    shipment_label_make,
    shipment_notification_send,
)


@shared_task(bind=True, **TRANSIENT_RETRY)
def make_label(self, shipment_id: int) -> str:
    """Book the parcel and store its label; after a transient error, come back later (in-process,
    at once: there is no one to come back later)."""
    try:
        shipment = shipment_label_make(
            shipment_id=shipment_id, ignore_schedule=self.request.is_eager
        )
    except Shipment.DoesNotExist:
        return "missing"
    if shipment is None:
        return "not owed"
    if getattr(shipment, "attempted", False) and shipment.status == ShipmentStatus.LABEL_PENDING:
        countdown = max(0.0, (shipment.label_leased_until - timezone.now()).total_seconds())
        if shipment.label_attempts < LABEL_MAX_ATTEMPTS_EAGER or not self.request.is_eager:
            make_label.apply_async((shipment_id,), countdown=countdown)
    return shipment.status


# In-process, a carrier that keeps failing would be retried in a tight loop; stop after these.
LABEL_MAX_ATTEMPTS_EAGER = 5


@shared_task(
    autoretry_for=(OperationalError, OSError),  # OSError covers the SMTP errors
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def send_tracking_email(shipment_id: int) -> bool:
    return shipment_notification_send(shipment_id=shipment_id)


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def sweep_shipping() -> dict:
    return {"labels": label_sweep(), "emails": notification_sweep()}


@shared_task(autoretry_for=(OperationalError,), max_retries=3)
def play_sandbox_carrier() -> int:
    return sandbox_carrier_tick()
