"""Packing with a scanner: each scan must be a unit the parcel still expects, or it is refused.

`shipment_scan` ticks one unit; `shipment_pack` closes the parcel (weight, method) and asks for
its label, which a worker makes after commit.
"""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import F
from django_fsm import has_transition_perm

from oms.errors import InvalidTransition
from shipping import events
from shipping.errors import ScanRefused, ShippingError
from shipping.models import Shipment, ShipmentLine, ShipmentStatus, ShippingMethod
from shipping.services.common import now
from shipping.services.rating import apply_quote


@dataclass(frozen=True)
class ScanResult:
    shipment: Shipment
    line: ShipmentLine
    # Every unit of the parcel is scanned.
    complete: bool

    @property
    def message(self) -> str:
        sku = self.line.order_line.sku
        return f"{sku}: {self.line.quantity_packed} of {self.line.quantity} packed."


def _locked(shipment: Shipment) -> Shipment:
    return (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order__shipping_address", "warehouse", "method__carrier")
        .get(pk=shipment.pk)
    )


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


@transaction.atomic
def shipment_scan(*, shipment: Shipment, code: str, actor=None) -> ScanResult:
    """Tick one unit of the scanned product (barcode or SKU, any case) into the parcel."""
    shipment = _locked(shipment)
    if shipment.status != ShipmentStatus.PENDING:
        raise InvalidTransition(
            f"Shipment {shipment.number} is {shipment.get_status_display().lower()}: "
            "it is not being packed."
        )
    if not has_transition_perm(shipment.pack, _user(actor)):
        raise InvalidTransition("Your role may not pack shipments.")
    code = (code or "").strip()
    lines = list(
        shipment.lines.select_for_update(of=("self",))
        .select_related("order_line__product")
        .order_by("id")
    )
    matching = [line for line in lines if _matches(line, code)]
    if not code or not matching:
        expected = ", ".join(line.order_line.sku for line in lines)
        raise ScanRefused(
            f"“{code}” is not in shipment {shipment.number}: it holds {expected}.",
            fields={"code": ["Not in this parcel."]},
        )
    line = next((line for line in matching if line.quantity_packed < line.quantity), None)
    if line is None:
        full = matching[0]
        raise ScanRefused(
            f"All {full.quantity} × {full.order_line.sku} are packed already: this one is extra.",
            fields={"code": ["One too many."]},
        )
    ShipmentLine.objects.filter(pk=line.pk).update(quantity_packed=F("quantity_packed") + 1)
    line.refresh_from_db(fields=["quantity_packed"])
    complete = all(
        (other.quantity_packed if other.pk != line.pk else line.quantity_packed) == other.quantity
        for other in lines
    )
    return ScanResult(shipment=shipment, line=line, complete=complete)


def _matches(line: ShipmentLine, code: str) -> bool:
    product = line.order_line.product
    if product is not None and product.barcode and product.barcode == code:
        return True
    return line.order_line.sku.casefold() == code.casefold()


@transaction.atomic
def shipment_pack(
    *,
    shipment: Shipment,
    actor=None,
    weight_grams: int | None = None,
    method: ShippingMethod | None = None,
    partial_ok: bool = False,
    unscanned: bool = False,
    request_label: bool = True,
    actor_label: str | None = None,
) -> Shipment:
    """Close the parcel and ask for its label.

    Every unit must be scanned, unless `partial_ok`: then the parcel keeps what was scanned and
    the rest stays allocated to the order for a later parcel. `unscanned` is for integrations
    without a scan station (the API, a 3PL): every unit of the parcel counts as packed. The
    weight defaults to the products'; a `method` other than the pre-selected one is re-quoted.
    """
    shipment = _locked(shipment)
    if not has_transition_perm(shipment.pack, _user(actor)):
        raise InvalidTransition(
            f"Shipment {shipment.number} is {shipment.get_status_display().lower()}: "
            "it cannot be packed now."
            if shipment.status != ShipmentStatus.PENDING
            else "Your role may not pack shipments."
        )
    if unscanned and shipment.status == ShipmentStatus.PENDING:
        shipment.lines.update(quantity_packed=F("quantity"))
    lines = list(shipment.lines.select_for_update().order_by("id"))
    missing = sum(line.quantity - line.quantity_packed for line in lines)
    if missing and not partial_ok:
        raise ShippingError(
            f"{missing} unit(s) of {shipment.number} are not scanned yet: scan them, or pack "
            "what is here and leave the rest for a later parcel."
        )
    if missing:
        for line in lines:
            if line.quantity_packed == 0:
                line.delete()
            elif line.quantity_packed < line.quantity:
                line.quantity = line.quantity_packed
                line.save(update_fields=["quantity"])
        if not shipment.lines.exists():
            raise ShippingError(f"Nothing of {shipment.number} is scanned: there is no parcel.")
    from shipping.services.creation import estimated_weight

    shipment.weight_grams = weight_grams if weight_grams else estimated_weight(shipment)
    chosen = method or shipment.method
    if chosen is not None and (method is not None or missing or weight_grams):
        apply_quote(shipment, shipment.order, chosen)
    if request_label and shipment.method is None:
        raise ShippingError(
            "Choose a shipping method: no method can carry this parcel by default.",
            fields={"method": ["Required for a label."]},
        )
    shipment.pack()
    shipment.packed_at = now()
    if request_label:
        shipment.request_label()
        shipment.label_requested_at = now()
        shipment.label_error = ""
        transaction.on_commit(partial(enqueue_label, shipment.pk), robust=True)
    shipment.save()
    events.shipment_packed(shipment.order, shipment, actor=actor, actor_label=actor_label)
    return shipment


@transaction.atomic
def shipment_label_request(*, shipment: Shipment, actor=None) -> Shipment:
    """Ask again for the label of a packed parcel (after the carrier refused it)."""
    shipment = _locked(shipment)
    if not has_transition_perm(shipment.request_label, _user(actor)):
        raise InvalidTransition(
            f"Shipment {shipment.number} is {shipment.get_status_display().lower()}: "
            "no label can be asked for now."
        )
    if shipment.method is None:
        raise ShippingError("Choose a shipping method first.", fields={"method": ["Required."]})
    shipment.request_label()
    shipment.label_requested_at = now()
    shipment.label_error = ""
    shipment.save()
    transaction.on_commit(partial(enqueue_label, shipment.pk), robust=True)
    return shipment


def enqueue_label(shipment_id: int) -> None:
    from shipping.tasks import make_label

    make_label.delay(shipment_id)
