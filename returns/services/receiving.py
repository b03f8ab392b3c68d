"""Receiving a returned parcel: per line, how many arrived and in what condition — sellable
units go back on the shelf (ledger `restock`), damaged ones are recorded and not restocked."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_fsm import has_transition_perm

from inventory.models import Warehouse
from inventory.services import stock_restock
from oms.errors import InvalidTransition
from orders.services import order_record_return
from returns import events
from returns.errors import ReturnExceedsShipped, ReturnInvalid, ReturnPermissionDenied
from returns.models import Condition, ReturnRequest, ReturnStatus
from returns.services.common import lock_return, user_of
from shipping.models import SHIPPED_STATUSES, ShipmentLine


@dataclass(frozen=True)
class ReceivedUnits:
    """`quantity` units of the returned SKU, found in `condition`."""

    sku: str
    quantity: int
    condition: str


def shipped_from(order_line) -> Warehouse | None:
    """The warehouse the line's units left from (its most recent parcel)."""
    line = (
        ShipmentLine.objects.filter(order_line=order_line, shipment__status__in=SHIPPED_STATUSES)
        .select_related("shipment__warehouse")
        .order_by("-shipment__shipped_at", "-id")
        .first()
    )
    return line.shipment.warehouse if line else None


@transaction.atomic
def return_receive(
    *,
    rma: ReturnRequest,
    lines: list[ReceivedUnits],
    warehouse: Warehouse | None = None,
    actor=None,
    actor_label: str | None = None,
) -> ReturnRequest:
    """Record what arrived, all lines at once. Partial receipt is allowed: the rest may follow
    while the return is received and not yet settled."""
    order, rma = lock_return(rma)
    if rma.status not in (ReturnStatus.APPROVED, ReturnStatus.RECEIVED):
        raise InvalidTransition(
            f"Return {rma.number} is {rma.get_status_display().lower()}: nothing can be "
            "received for it now."
        )
    user = user_of(actor)
    probe = ReturnRequest(status=ReturnStatus.APPROVED)
    if not has_transition_perm(probe.receive, user):
        raise ReturnPermissionDenied("Your role may not receive returns.")
    if not lines:
        raise ReturnInvalid("Say what arrived.", fields={"lines": ["Required."]})
    return_lines = {
        line.order_line.sku.casefold(): line
        for line in rma.lines.select_for_update(of=("self",))
        .select_related("order_line__product")
        .order_by("id")
    }
    problems, over, arrived = {}, {}, []
    for index, units in enumerate(lines):
        line = return_lines.get((units.sku or "").strip().casefold())
        if line is None:
            problems[f"lines.{index}.sku"] = [f"{units.sku} is not on return {rma.number}."]
            continue
        if units.condition not in Condition.values:
            problems[f"lines.{index}.condition"] = ["Sellable or damaged."]
        quantity = units.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            problems[f"lines.{index}.quantity"] = ["A whole number of units, 1 or more."]
            continue
        arrived.append((index, line, quantity, units.condition))
    for index, line, quantity, _ in arrived:
        already = sum(q for i, other, q, _ in arrived if other.pk == line.pk and i < index)
        if quantity + already > line.quantity_outstanding:
            over[f"lines.{index}.quantity"] = [
                f"Only {line.quantity_outstanding} of {line.order_line.sku} are still expected."
            ]
    if problems:
        raise ReturnInvalid("The receipt has invalid lines.", fields=problems)
    if over:
        raise ReturnExceedsShipped("More units than the return expects.", fields=over)

    reference = f"return:{rma.number}"
    recorded = []
    for _, line, quantity, condition in arrived:
        restocked_at = None
        if condition == Condition.SELLABLE:
            restocked_at = warehouse or rma.warehouse or shipped_from(line.order_line)
            if restocked_at is None or line.order_line.product is None:
                raise ReturnInvalid(
                    f"Choose the warehouse that takes {line.order_line.sku} back.",
                    fields={"warehouse": ["Required: the units did not ship from one."]},
                )
            stock_restock(
                product=line.order_line.product,
                warehouse=restocked_at,
                quantity=quantity,
                reference=reference,
                actor=user,
                note=f"returned: {line.get_reason_display().lower()}",
            )
            line.quantity_sellable += quantity
        else:
            line.quantity_damaged += quantity
        line.save(update_fields=["quantity_sellable", "quantity_damaged"])
        recorded.append(
            {
                "sku": line.order_line.sku,
                "quantity": quantity,
                "condition": condition,
                "warehouse": restocked_at.code if restocked_at else "",
            }
        )
    order_record_return(
        order=order,
        lines=[(line.order_line, quantity) for _, line, quantity, _ in arrived],
        actor=actor,
        actor_label=actor_label,
    )
    if rma.status == ReturnStatus.APPROVED:
        rma.receive()
    rma.received_at = timezone.now()
    rma.save()
    events.received(order, rma, lines=recorded, actor=actor, actor_label=actor_label)
    return rma
