"""Payments test data: orders captured with a payment block, and the owed calls run in-process.

Orders are made through `order_capture` like production makes them; the payment follows from
the `order_captured` signal. Non-transactional tests never commit, so `run_owed` stands in for
the worker: it makes every owed gateway call, as the task would after commit.
"""

from decimal import Decimal

from payments.models import PaymentTransaction
from payments.services import payment_transaction_execute
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture


def card(token: str = "tok_visa", **extra) -> dict:
    return {"gateway": "sandbox", "method": "card", "token": token, **extra}


def stocked_product(sku: str = "MUG", *, on_hand: int = 100, price: str = "10.00"):
    product = ProductFactory(sku=sku, price=Decimal(price))
    give_stock(product, WarehouseFactory(code="MAIN", priority=1), on_hand)
    return product


def order_paid_by(payment: dict, *, channel=None, lines=(("MUG", 2, "10.00"),), **overrides):
    """A ready order (stock permitting) carrying `payment`; owed calls are not run yet."""
    channel = channel or SalesChannelFactory(code="web")
    return capture(channel, list(lines), payment=payment, **overrides)


def run_owed(*, rounds: int = 20) -> int:
    """Make every owed gateway call now (retries included); returns how many calls were made."""
    made = 0
    for _ in range(rounds):
        owed = list(
            PaymentTransaction.objects.filter(status=PaymentTransaction.Status.REQUESTED)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        progressed = False
        for transaction_id in owed:
            txn = payment_transaction_execute(transaction_id=transaction_id, ignore_schedule=True)
            if txn.attempted:
                made += 1
                progressed = True
        if not progressed:
            return made
    return made
