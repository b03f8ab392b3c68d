"""Real threads against PostgreSQL: money moves once, refunds never exceed what was captured."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from payments.errors import RefundExceedsCaptured
from payments.models import Payment, PaymentTransaction, SandboxLedgerEntry
from payments.services import (
    payment_refund,
    payment_request_capture,
    payment_transaction_execute,
)
from tests.concurrency import run_concurrently
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, stocked_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
T = PaymentTransaction


@pytest.fixture
def captured_order():
    """An order of 20.00, authorized and fully captured (tasks run in-process at commit)."""
    stocked_product("MUG", price="10.00")
    order = order_paid_by(card(), channel=SalesChannelFactory(code="web"))
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    assert Payment.objects.get(order=order).amount_captured == Decimal("20.00")
    return order


def _bank_total(operation: str) -> Decimal:
    total = SandboxLedgerEntry.objects.filter(operation=operation, approved=True).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0")


def test_two_refunds_racing_for_the_last_amount_refund_it_once(captured_order, manager_user):
    payment_refund(order=captured_order, amount="15.00", reason="first", actor=manager_user)

    def refund_the_rest(index):
        return payment_refund(
            order=captured_order, amount="5.00", reason=f"racer {index}", actor=manager_user
        )

    results = run_concurrently(2, refund_the_rest)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, RefundExceedsCaptured)
    payment = Payment.objects.get(order=captured_order)
    assert payment.amount_refunded == Decimal("20.00") == payment.amount_captured
    assert _bank_total("refund") == Decimal("20.00")


def test_many_refunds_at_once_never_exceed_what_was_captured(captured_order, manager_user):
    def refund_three(index):
        return payment_refund(
            order=captured_order, amount="3.00", reason=f"racer {index}", actor=manager_user
        )

    results = run_concurrently(8, refund_three)
    succeeded = [value for kind, value in results if kind == "ok"]
    refused = [value for kind, value in results if kind == "error"]
    assert len(succeeded) == 6 and len(refused) == 2  # 6 × 3.00 fits in 20.00; 7 would not
    assert all(isinstance(error, RefundExceedsCaptured) for error in refused)
    payment = Payment.objects.get(order=captured_order)
    assert payment.amount_refunded == Decimal("18.00")
    assert _bank_total("refund") == Decimal("18.00")


def test_two_workers_making_the_same_call_charge_once():
    stocked_product("MUG", price="10.00")
    order = order_paid_by(card(), channel=SalesChannelFactory(code="web"))
    capture = payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    # The tasks ran at commit; make the capture owed again as if its first answer was lost.
    T.objects.filter(pk=capture[0].pk).update(status=T.Status.REQUESTED, attempts=1)
    Payment.objects.filter(order=order).update(amount_captured=0, status="authorized")

    def execute(index):
        return payment_transaction_execute(transaction_id=capture[0].pk, ignore_schedule=True)

    run_concurrently(4, execute)
    assert _bank_total("capture") == Decimal("20.00")
    assert SandboxLedgerEntry.objects.filter(operation="capture").count() == 1
    payment = Payment.objects.get(order=order)
    assert payment.amount_captured == Decimal("20.00")
    assert T.objects.get(pk=capture[0].pk).status == T.Status.SUCCEEDED


def test_capture_requests_for_one_shipment_racing_capture_once():
    stocked_product("MUG", price="10.00")
    order = order_paid_by(card(), channel=SalesChannelFactory(code="web"))

    def ship(index):
        return payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:9")

    results = run_concurrently(4, ship)
    assert all(kind == "ok" for kind, _ in results)
    assert T.objects.filter(kind=T.Kind.CAPTURE).count() == 1
    assert _bank_total("capture") == Decimal("20.00")
