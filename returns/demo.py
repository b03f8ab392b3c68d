"""Demo returns for `manage.py seed_demo` (runs after the shipping demo).

Returns in every state, on shipped and delivered demo orders, made through the services like
real ones (so stock, ledger and payments agree):

- requested, waiting for support;
- approved, one of them with a return label;
- rejected, saying why;
- received in part: one unit back on the shelf, one damaged, one still on its way;
- refunded, one of them with the order's shipping charge and a restocking fee;
- exchanged for another size, its replacement order captured and processed;
- closed after its refund.

Each scenario takes the first order, by external id, that has no return yet and fits it (units
to receive in part, money to refund, a shipping charge to give back); when the demo has returns
already nothing is made, so a second run changes nothing. Owed work is done here in-process
(the return label, the refunds' gateway calls), so the demo is complete even when `REDIS_URL`
is set and no worker runs. Demo customers are not real people: every return is opened with
`notify_customer=False`, so no email is owed for it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from inventory.models import Product
from inventory.selectors import availability
from oms.money import CENT
from orders.demo import EXTERNAL_PREFIX
from orders.models import Order, OrderLine, OrderStatus
from payments.demo import run_owed_calls
from returns.models import Condition, Resolution, ReturnReason, ReturnRequest, ReturnStatus
from returns.services import (
    ExchangeLineData,
    ReceivedUnits,
    ReturnLineData,
    refund_quote,
    return_approve,
    return_close,
    return_create,
    return_exchange,
    return_label_make,
    return_receive,
    return_refund,
    return_reject,
)

RESTOCKING_FEE_SHARE = Decimal("0.10")
REJECTION = "Worn and washed: outside our return policy."
PARTLY_RECEIVED_UNITS = 3  # one back on the shelf, one damaged, one still on its way


def _first_line(order: Order) -> OrderLine:
    return min(order.lines.all(), key=lambda line: line.pk)


def _paid(order: Order) -> bool:
    return order.amount_paid > 0


def _paid_with_shipping(order: Order) -> bool:
    return _paid(order) and order.shipping_total > 0


def _has_units_for_a_partial_receipt(order: Order) -> bool:
    return any(line.quantity_shipped >= PARTLY_RECEIVED_UNITS for line in order.lines.all())


def _anything(order: Order) -> bool:
    return True


@dataclass(frozen=True)
class Scenario:
    name: str
    fits: Callable[[Order], bool]
    reason: str
    note: str


# The most demanding first, so each finds an order that fits.
SCENARIOS = (
    Scenario(
        "received",
        _has_units_for_a_partial_receipt,
        ReturnReason.DEFECTIVE,
        "Three arrived with loose seams; sending them back in two parcels.",
    ),
    Scenario(
        "refunded_with_shipping",
        _paid_with_shipping,
        ReturnReason.NOT_AS_DESCRIBED,
        "The colour is nothing like the photos.",
    ),
    Scenario("refunded", _paid, ReturnReason.DEFECTIVE, "Stopped working after a week."),
    Scenario("closed", _paid, ReturnReason.DAMAGED_IN_TRANSIT, "The box arrived crushed."),
    Scenario(
        "exchanged", _anything, ReturnReason.WRONG_ITEM, "Too small; may I have another size?"
    ),
    Scenario("approved_with_label", _anything, ReturnReason.WRONG_ITEM, "Not what I ordered."),
    Scenario("approved", _anything, ReturnReason.NOT_AS_DESCRIBED, "Smaller than described."),
    Scenario("rejected", _anything, ReturnReason.CHANGED_MIND, "I wore it once; no longer needed."),
    Scenario("requested", _anything, ReturnReason.CHANGED_MIND, "Bought two by mistake."),
)


def _candidates() -> list[Order]:
    """Shipped and delivered demo orders with no return yet, by external id."""
    return list(
        Order.objects.filter(
            external_id__startswith=EXTERNAL_PREFIX,
            status__in=(OrderStatus.SHIPPED, OrderStatus.DELIVERED),
            returns=None,
        )
        .prefetch_related("lines")
        .order_by("external_id")
    )


def _another_size(line: OrderLine, quantity: int) -> list[ExchangeLineData] | None:
    """The same product in another size, in stock (SKUs read PRODUCT-COLOUR-SIZE); None asks
    for the same units again."""
    stem = line.sku.rsplit("-", 1)[0] + "-"
    siblings = list(
        Product.objects.filter(sku__startswith=stem, is_active=True)
        .exclude(sku=line.sku)
        .order_by("sku")
        .values_list("sku", flat=True)
    )
    stock = availability(skus=siblings)
    for sku in siblings:
        if stock.get(sku, {}).get("available", 0) >= quantity:
            return [ExchangeLineData(sku, quantity)]
    return None


def restocking_fee(rma: ReturnRequest) -> Decimal:
    """The fee the demo charges on its refund with shipping: a tenth of what came back."""
    return (refund_quote(rma).lines_value * RESTOCKING_FEE_SHARE).quantize(CENT)


def _play(order: Order, scenario: Scenario, actor) -> ReturnRequest:
    """A return for the order, taken through the services to the scenario's state."""
    line = _first_line(order)
    quantity = PARTLY_RECEIVED_UNITS if scenario.name == "received" else 1
    exchange = scenario.name == "exchanged"
    rma = return_create(
        order=order,
        lines=[ReturnLineData(line.sku, quantity, scenario.reason)],
        resolution=Resolution.EXCHANGE if exchange else Resolution.REFUND,
        note=scenario.note,
        exchange_lines=_another_size(line, quantity) if exchange else None,
        notify_customer=False,
        actor=actor,
    )
    if scenario.name == "requested":
        return rma
    if scenario.name == "rejected":
        return return_reject(rma=rma, reason=REJECTION, actor=actor)
    rma = return_approve(rma=rma, label=scenario.name == "approved_with_label", actor=actor)
    if scenario.name == "approved_with_label":
        return_label_make(rma_id=rma.pk, ignore_schedule=True)
    if scenario.name.startswith("approved"):
        return rma
    if scenario.name == "received":
        arrived = [
            ReceivedUnits(line.sku, 1, Condition.SELLABLE),
            ReceivedUnits(line.sku, 1, Condition.DAMAGED),
        ]
    else:
        damaged = scenario.reason == ReturnReason.DAMAGED_IN_TRANSIT
        arrived = [ReceivedUnits(line.sku, 1, Condition.DAMAGED if damaged else Condition.SELLABLE)]
    rma = return_receive(rma=rma, lines=arrived, actor=actor)
    if scenario.name == "received":
        return rma
    if exchange:
        return return_exchange(rma=rma, actor=actor)
    if scenario.name == "refunded_with_shipping":
        rma = return_refund(
            rma=rma, include_shipping=True, restocking_fee=restocking_fee(rma), actor=actor
        )
    else:
        rma = return_refund(rma=rma, actor=actor)
    if scenario.name == "closed":
        rma = return_close(rma=rma, actor=actor)
    return rma


def seed_returns(actor=None) -> dict:
    made = 0
    if not _demo_returns().exists():
        candidates = _candidates()
        for scenario in SCENARIOS:
            order = next((order for order in candidates if scenario.fits(order)), None)
            if order is None:
                continue
            candidates.remove(order)
            _play(order, scenario, actor)
            made += 1
    # The refunds go to the card processor too.
    run_owed_calls()
    return {"new_returns": made, **_counts()}


def _demo_returns():
    return ReturnRequest.objects.filter(order__external_id__startswith=EXTERNAL_PREFIX)


def _counts() -> dict:
    demo = _demo_returns()
    return {status: demo.filter(status=status).count() for status in ReturnStatus.values}
