"""The return label: booked with the carrier by a worker (lease → carrier → record), like a
parcel's label, for a parcel going from the customer back to the warehouse."""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oms.errors import DomainError
from returns import events
from returns.models import ReturnRequest
from returns.services.common import after_commit
from returns.services.receiving import shipped_from
from shipping.carriers import LabelRequest, Party, get_carrier_adapter
from shipping.carriers.base import declined, transient_error
from shipping.documents import LabelData, render_label_pdf
from shipping.models import SHIPPED_STATUSES, Shipment, ShippingMethod

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 6
L = ReturnRequest.LabelStatus


def _lease(rma_id: int, *, ignore_schedule: bool) -> ReturnRequest | None:
    with transaction.atomic(durable=True):
        rma = (
            ReturnRequest.objects.select_for_update(of=("self",))
            .select_related("order__shipping_address", "warehouse")
            .get(pk=rma_id)
        )
        now = timezone.now()
        leased = rma.label_leased_until is not None and rma.label_leased_until > now
        if rma.label_status != L.PENDING or (leased and not ignore_schedule):
            return None
        rma.label_attempts += 1
        rma.label_leased_until = now + LEASE
        rma.save(update_fields=["label_attempts", "label_leased_until", "updated_at"])
        return rma


def _method_for(rma: ReturnRequest) -> ShippingMethod | None:
    """The method the goods went out with, else any active domestic one."""
    shipment = (
        Shipment.objects.filter(order=rma.order, status__in=SHIPPED_STATUSES, method__isnull=False)
        .select_related("method__carrier")
        .order_by("-shipped_at")
        .first()
    )
    if shipment is not None:
        return shipment.method
    return (
        ShippingMethod.objects.filter(is_active=True, carrier__is_active=True, domestic=True)
        .select_related("carrier")
        .order_by("id")
        .first()
    )


def _destination(rma: ReturnRequest):
    if rma.warehouse is not None:
        return rma.warehouse
    for line in rma.lines.select_related("order_line"):
        warehouse = shipped_from(line.order_line)
        if warehouse is not None:
            return warehouse
    return None


def return_label_make(*, rma_id: int, ignore_schedule: bool = False) -> ReturnRequest | None:
    """Book the return parcel and store its label; None when nothing was owed."""
    rma = _lease(rma_id, ignore_schedule=ignore_schedule)
    if rma is None:
        return None
    method, warehouse = _method_for(rma), _destination(rma)
    weight = sum(
        (line.order_line.product.weight_grams if line.order_line.product else 0) * line.quantity
        for line in rma.lines.select_related("order_line__product")
    )
    pdf = None
    if method is None or warehouse is None:
        result = declined("no_route", "No carrier method or warehouse to send the return to.")
    else:
        request = LabelRequest(
            shipment_number=rma.number,
            order_number=rma.order.number,
            idempotency_key=f"return-label:{rma.number}",
            method_code=method.code,
            method_name=method.name,
            weight_grams=weight,
            ship_from=Party.from_address(rma.order.shipping_address),
            ship_to=Party.from_warehouse(warehouse),
        )
        try:
            result = get_carrier_adapter(method.carrier.adapter).create_label(request)
        except DomainError as error:
            result = declined("unknown_adapter", error.message)
        except Exception as error:  # the label stays owed: retried, never lost
            logger.exception("Carrier adapter raised on return %s", rma.number)
            result = transient_error(f"The carrier call raised {type(error).__name__}: {error}")
        if result.approved:
            pdf = render_label_pdf(
                LabelData(
                    ship_from=request.ship_from,
                    ship_to=request.ship_to,
                    order_number=rma.order.number,
                    shipment_number=rma.number,
                    carrier_name=method.carrier.name,
                    method_name=method.name,
                    weight_grams=weight,
                    tracking_number=result.tracking_number,
                    tracking_url=method.carrier.tracking_url(result.tracking_number),
                )
            )
    with transaction.atomic(durable=True):
        rma = (
            ReturnRequest.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=rma_id)
        )
        if rma.label_status != L.PENDING:
            return rma
        if result.approved:
            rma.tracking_number = result.tracking_number
            rma.label_pdf.save(f"{rma.number}.pdf", ContentFile(pdf), save=False)
            rma.label_status = L.READY
            rma.label_error = ""
            rma.label_leased_until = None
            if rma.notify_customer and not rma.email_due and not rma.label_emailed:
                rma.email_due = "label"
                after_commit("send_return_email", rma.pk)
            rma.save()
            events.label_ready(rma.order, rma)
        elif result.declined or rma.label_attempts >= MAX_ATTEMPTS:
            rma.label_status = L.REFUSED
            rma.label_error = result.reason[:500]
            rma.label_leased_until = None
            rma.save()
        else:
            rma.label_error = result.reason[:500]
            rma.label_leased_until = timezone.now() + RETRY_AFTER * rma.label_attempts
            rma.save(update_fields=["label_error", "label_leased_until", "updated_at"])
        rma.attempted = True
        return rma
