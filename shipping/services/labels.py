"""Making a label: the outbox shape of `oms.webhooks.services`, for the carrier.

1. Lease (own short transaction): the shipment is `label_pending` and nobody holds its lease;
   count the attempt and take the lease. Nothing is marked done.
2. Book the parcel with the carrier (outside any transaction) with a key per shipment, so a
   repeat gets the same tracking number, and render the PDF and ZPL.
3. Record (own transaction, shipment locked): store the label, `label_ready`; or, refused,
   back to `packed` with the reason; or, a transient error, leave it owed with a later lease.

A worker killed between 2 and 3 leaves the shipment `label_pending`; the sweeper nudges it once
the lease ran out, and the carrier answers the same key with the same tracking number.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oms.errors import DomainError
from shipping import events
from shipping.carriers import LabelRequest, LabelResult, Party, get_carrier_adapter
from shipping.carriers.base import declined, transient_error
from shipping.documents import LabelData, render_label_pdf, render_label_zpl
from shipping.models import Shipment, ShipmentStatus

logger = logging.getLogger(__name__)
LABEL_LEASE = timedelta(minutes=2)
LABEL_RETRY_BASE_SECONDS = 30


def _lease(shipment_id: int, *, ignore_schedule: bool) -> Shipment | None:
    with transaction.atomic(durable=True):
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("order__shipping_address", "warehouse", "method__carrier")
            .get(pk=shipment_id)
        )
        now = timezone.now()
        leased = shipment.label_leased_until is not None and shipment.label_leased_until > now
        if shipment.status != ShipmentStatus.LABEL_PENDING or (leased and not ignore_schedule):
            return None
        shipment.label_attempts += 1
        shipment.label_leased_until = now + LABEL_LEASE
        shipment.save(update_fields=["label_attempts", "label_leased_until", "updated_at"])
        return shipment


def label_request_for(shipment: Shipment) -> LabelRequest:
    return LabelRequest(
        shipment_number=shipment.number,
        order_number=shipment.order.number,
        # One booking per parcel: every retry gets the same tracking number back.
        idempotency_key=f"label:{shipment.number}",
        method_code=shipment.method.code,
        method_name=shipment.method.name,
        weight_grams=shipment.weight_grams,
        ship_from=Party.from_warehouse(shipment.warehouse),
        ship_to=Party.from_address(shipment.order.shipping_address),
    )


def _book(shipment: Shipment) -> LabelResult:
    try:
        adapter = get_carrier_adapter(shipment.method.carrier.adapter)
    except DomainError as error:  # a misconfigured carrier: retrying will not help
        return declined("unknown_adapter", error.message)
    try:
        return adapter.create_label(label_request_for(shipment))
    except Exception as error:  # any adapter failure leaves the label owed, never lost
        logger.exception("Carrier adapter raised on %s", shipment.number)
        return transient_error(f"The carrier call raised {type(error).__name__}: {error}"[:500])


def label_data(shipment: Shipment, tracking_number: str) -> LabelData:
    carrier = shipment.method.carrier
    return LabelData(
        ship_from=Party.from_warehouse(shipment.warehouse),
        ship_to=Party.from_address(shipment.order.shipping_address),
        order_number=shipment.order.number,
        shipment_number=shipment.number,
        carrier_name=carrier.name,
        method_name=shipment.method.name,
        weight_grams=shipment.weight_grams,
        tracking_number=tracking_number,
        tracking_url=carrier.tracking_url(tracking_number),
    )


def shipment_label_make(*, shipment_id: int, ignore_schedule: bool = False) -> Shipment | None:
    """Book the parcel and store its label; None when there was nothing to do (not owed, or
    another worker holds the lease)."""
    shipment = _lease(shipment_id, ignore_schedule=ignore_schedule)
    if shipment is None:
        return None
    result = _book(shipment)
    pdf = zpl = None
    if result.approved:
        data = label_data(shipment, result.tracking_number)
        pdf, zpl = render_label_pdf(data), render_label_zpl(data)
    with transaction.atomic(durable=True):
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("order", "method__carrier")
            .get(pk=shipment_id)
        )
        if shipment.status != ShipmentStatus.LABEL_PENDING:
            return shipment  # cancelled (or shipped by hand) while the carrier was asked
        if result.approved:
            shipment.tracking_number = result.tracking_number
            shipment.label_pdf.save(f"{shipment.number}.pdf", ContentFile(pdf), save=False)
            shipment.label_zpl = zpl
            shipment.label_error = ""
            shipment.label_leased_until = None
            shipment.label_made()
            shipment.save()
            events.label_ready(shipment.order, shipment)
        elif result.declined:
            shipment.label_error = result.reason[:500]
            shipment.label_leased_until = None
            shipment.label_refused()
            shipment.save()
            events.label_refused(shipment.order, shipment, reason=result.reason)
        else:
            shipment.label_error = result.reason[:500]
            shipment.label_leased_until = timezone.now() + _backoff(shipment.label_attempts)
            shipment.save(update_fields=["label_error", "label_leased_until", "updated_at"])
        shipment.attempted = True
        return shipment


def _backoff(attempts: int) -> timedelta:
    ceiling = min(
        settings.CELERY_MAX_COUNTDOWN_SECONDS, LABEL_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    )
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))
