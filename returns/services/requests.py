"""Opening a return and deciding on it: create, approve (with an optional return label),
reject (with a reason), close."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from inventory.models import Product, Warehouse
from oms.errors import InvalidTransition
from orders.models import Order
from returns import events
from returns.errors import ReturnExceedsShipped, ReturnInvalid, ReturnPermissionDenied
from returns.models import Resolution, ReturnLine, ReturnReason, ReturnRequest, may_decide
from returns.services.common import (
    after_commit,
    lock_order_lines,
    lock_return,
    numbered,
    returnable_units,
    user_of,
)

MAX_RETURN_QUANTITY = 100_000


@dataclass(frozen=True)
class ReturnLineData:
    """Units of one order line (named by its SKU) the customer sends back, and why."""

    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class ExchangeLineData:
    sku: str
    quantity: int


def _check_lines(order, lines_by_id, wanted: list[ReturnLineData]) -> list[tuple]:
    """(order line, quantity, reason) per wanted line; ReturnInvalid / ReturnExceedsShipped."""
    if not wanted:
        raise ReturnInvalid("Pick at least one line to return.", fields={"lines": ["Required."]})
    returnable = returnable_units(order, lines_by_id.values())
    by_sku: dict[str, list] = {}
    for line in lines_by_id.values():
        by_sku.setdefault(line.sku.casefold(), []).append(line)
    problems, over, chosen, seen = {}, {}, [], set()
    for index, want in enumerate(wanted):
        lines = by_sku.get((want.sku or "").strip().casefold(), [])
        line = next((line for line in lines if returnable[line.pk]), lines[0] if lines else None)
        if line is None:
            problems[f"lines.{index}.sku"] = [f"Order {order.number} has no line {want.sku}."]
            continue
        if line.pk in seen:
            problems[f"lines.{index}.sku"] = [f"{line.sku} is named twice."]
            continue
        seen.add(line.pk)
        if want.reason not in ReturnReason.values:
            problems[f"lines.{index}.reason"] = [f"One of: {', '.join(ReturnReason.values)}."]
        quantity = want.quantity
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not (0 < quantity <= MAX_RETURN_QUANTITY)
        ):
            problems[f"lines.{index}.quantity"] = ["A whole number of units, 1 or more."]
            continue
        if quantity > returnable[line.pk]:
            held = line.quantity_shipped - line.quantity_returned - returnable[line.pk]
            parts = [f"{line.quantity_shipped} shipped"]
            if line.quantity_returned:
                parts.append(f"{line.quantity_returned} returned")
            if held:
                parts.append(f"{held} on open returns")
            over[f"lines.{index}.quantity"] = [
                f"At most {returnable[line.pk]} of {line.sku} may be returned ({', '.join(parts)})."
            ]
        chosen.append((line, quantity, want.reason))
    if problems:
        raise ReturnInvalid("The return has invalid lines.", fields=problems)
    if over:
        raise ReturnExceedsShipped("More units than may still be returned.", fields=over)
    return chosen


def _check_exchange(exchange: list[ExchangeLineData] | None, chosen) -> list[dict]:
    if not exchange:
        return [{"sku": line.sku, "quantity": quantity} for line, quantity, _ in chosen]
    known = set(
        Product.objects.filter(sku__in=[item.sku for item in exchange]).values_list(
            "sku", flat=True
        )
    )
    problems = {}
    for index, item in enumerate(exchange):
        if item.sku not in known:
            problems[f"exchange_lines.{index}.sku"] = [f"No product has the SKU {item.sku}."]
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or not (0 < item.quantity <= MAX_RETURN_QUANTITY)
        ):
            problems[f"exchange_lines.{index}.quantity"] = ["A whole number of units, 1 or more."]
    if problems:
        raise ReturnInvalid("The exchange has invalid lines.", fields=problems)
    return [{"sku": item.sku, "quantity": item.quantity} for item in exchange]


@transaction.atomic
def return_create(
    *,
    order: Order,
    lines: list[ReturnLineData],
    resolution: str,
    note: str = "",
    exchange_lines: list[ExchangeLineData] | None = None,
    notify_customer: bool = True,
    actor=None,
    actor_label: str | None = None,
) -> ReturnRequest:
    """Open a return for shipped units (`notify_customer` off: the customer is emailed nothing
    about it — demo data, imports). The order's lines are locked while the units are
    checked against what may still be returned, so two returns racing for the same units
    cannot both have them."""
    user = user_of(actor)
    if not may_decide(None, user):
        raise ReturnPermissionDenied("Your role may not open returns.")
    if resolution not in Resolution.values:
        raise ReturnInvalid(
            "Choose refund or exchange.", fields={"resolution": ["Refund or exchange."]}
        )
    order, lines_by_id = lock_order_lines(order)
    chosen = _check_lines(order, lines_by_id, lines)
    exchange = _check_exchange(exchange_lines, chosen) if resolution == Resolution.EXCHANGE else []
    rma = numbered(
        ReturnRequest.objects.create(
            order=order,
            resolution=resolution,
            note=(note or "").strip()[:1000],
            exchange_request=exchange,
            requested_by=user,
            notify_customer=notify_customer,
        )
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            return_request=rma, order_line=line, sku=line.sku, quantity=quantity, reason=reason
        )
        for line, quantity, reason in chosen
    )
    events.requested(order, rma, actor=actor, actor_label=actor_label)
    return rma


PAST = {
    "approve": "approved",
    "reject": "rejected",
    "refund": "refunded",
    "exchange": "exchanged",
    "close": "closed",
    "receive": "received",
}


def check_transition(rma: ReturnRequest, name: str, actor) -> None:
    """Refuse, with a clear error, what the return's state or the person's role forbids."""
    method = getattr(rma, name)
    if not can_proceed(method):
        raise InvalidTransition(
            f"Return {rma.number} is {rma.get_status_display().lower()}: it cannot be "
            f"{PAST[name]} now."
        )
    if not has_transition_perm(method, user_of(actor)):
        raise ReturnPermissionDenied(f"Your role may not {name} returns.")


def _decide(rma: ReturnRequest, name: str, actor) -> None:
    check_transition(rma, name, actor)
    getattr(rma, name)()


@transaction.atomic
def return_approve(
    *,
    rma: ReturnRequest,
    actor=None,
    actor_label: str | None = None,
    label: bool = False,
    warehouse: Warehouse | None = None,
) -> ReturnRequest:
    """Accept the return: the customer is emailed the RMA number and instructions, with a
    return label when `label` (made by a worker after commit)."""
    order, rma = lock_return(rma)
    _decide(rma, "approve", actor)
    rma.decided_by = user_of(actor)
    rma.decided_at = timezone.now()
    if warehouse is not None:
        rma.warehouse = warehouse
    if label:
        rma.label_status = ReturnRequest.LabelStatus.PENDING
        after_commit("make_return_label", rma.pk)
    if rma.notify_customer:
        rma.email_due = "approved"
        after_commit("send_return_email", rma.pk)
    rma.save()
    events.approved(order, rma, actor=actor, actor_label=actor_label)
    return rma


@transaction.atomic
def return_reject(
    *, rma: ReturnRequest, reason: str, actor=None, actor_label: str | None = None
) -> ReturnRequest:
    """Refuse the return, saying why; the customer is emailed the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ReturnInvalid("Say why the return is rejected.", fields={"reason": ["Required."]})
    order, rma = lock_return(rma)
    _decide(rma, "reject", actor)
    rma.decided_by = user_of(actor)
    rma.decided_at = timezone.now()
    rma.rejection_reason = reason[:500]
    if rma.notify_customer:
        rma.email_due = "rejected"
        after_commit("send_return_email", rma.pk)
    rma.save()
    events.rejected(order, rma, actor=actor, actor_label=actor_label)
    return rma


@transaction.atomic
def return_close(*, rma: ReturnRequest, actor=None, actor_label: str | None = None):
    """File a settled (or rejected) return away."""
    order, rma = lock_return(rma)
    _decide(rma, "close", actor)
    rma.closed_at = timezone.now()
    rma.save()
    events.closed(order, rma, actor=actor, actor_label=actor_label)
    return rma
