"""Capturing what ships (on_ship) or everything once ready (on_confirm); failures and retries."""

from decimal import Decimal

import pytest

from oms.errors import InvalidTransition
from orders.models import HoldReason, Order, OrderEvent, SalesChannel
from orders.services import order_hold, order_hold_release
from payments.errors import PaymentNotRetryable, PaymentPermissionDenied
from payments.models import Payment, PaymentStatus, PaymentTransaction, SandboxLedgerEntry
from payments.services import payment_request_capture, payment_retry, payment_sweep
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, run_owed

pytestmark = pytest.mark.django_db
T = PaymentTransaction


def _authorized(token="tok_visa", **kwargs) -> Order:
    order = order_paid_by(card(token), **kwargs)
    run_owed()
    return order


def _bank_captures() -> list[Decimal]:
    return list(
        SandboxLedgerEntry.objects.filter(operation="capture", approved=True)
        .order_by("id")
        .values_list("amount", flat=True)
    )


def test_capturing_what_shipped_in_two_shipments(stock, web):
    order = _authorized(lines=[("MUG", 2, "10.00"), ("TEE", 1, "25.00")], shipping_total=5)
    payment_request_capture(order=order, amount=Decimal("15.00"), reference="shipment:1")
    run_owed()
    payment = Payment.objects.get(order=order)
    order.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_CAPTURED
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "partially_paid",
        Decimal("15.00"),
        Decimal("35.00"),
    )
    payment_request_capture(order=order, amount=Decimal("35.00"), reference="shipment:2")
    run_owed()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert (order.payment_status, order.balance_due) == ("paid", 0)
    assert _bank_captures() == [Decimal("15.00"), Decimal("35.00")]


def test_the_same_shipment_is_captured_once(stock, web):
    order = _authorized()
    first = payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:7")
    again = payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:7")
    assert [txn.pk for txn in again] == [txn.pk for txn in first]
    run_owed()
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:7")
    run_owed()
    assert _bank_captures() == [Decimal("20.00")]


def test_more_than_is_authorized_captures_what_there_is_and_flags_the_rest(stock, web):
    order = _authorized()
    owed = payment_request_capture(order=order, amount=Decimal("26.50"), reference="shipment:1")
    assert [txn.amount for txn in owed] == [Decimal("20.00")]
    shortfall = OrderEvent.objects.get(order=order, type="payment_capture_shortfall")
    assert "6.50 USD" in shortfall.message
    run_owed()
    assert _bank_captures() == [Decimal("20.00")]


def test_a_capture_asked_before_the_authorization_waits_for_it(stock, web):
    order = order_paid_by(card())
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    capture = T.objects.get(kind=T.Kind.CAPTURE)
    from payments.services import payment_transaction_execute

    waited = payment_transaction_execute(transaction_id=capture.pk, ignore_schedule=True)
    assert not waited.attempted and waited.status == T.Status.REQUESTED
    run_owed()
    assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED


def test_insufficient_funds_at_capture_fails_the_payment_and_holds_the_order(stock, web):
    order = _authorized("tok_insufficient_funds")
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    run_owed()
    payment = Payment.objects.get(order=order)
    order.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert "Insufficient funds" in payment.failure_reason
    assert order.payment_status == "failed"
    assert order.holds.filter(reason=HoldReason.PAYMENT_FAILED, released_at=None).exists()
    assert _bank_captures() == []


def test_retrying_a_failed_capture_asks_again_with_a_new_key(stock, web, support_user):
    order = _authorized("tok_flaky")
    payment = Payment.objects.get(order=order)
    declined = T.objects.create(
        payment=payment,
        kind=T.Kind.CAPTURE,
        amount=Decimal("20.00"),
        status=T.Status.FAILED,
        idempotency_key="earlier-attempt",
        reference="shipment:1",
        error="The processor timed out.",
    )
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.FAILED, failed_at=declined.created_at
    )
    payment_retry(payment=payment, actor=support_user)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORIZED
    retried = T.objects.get(kind=T.Kind.CAPTURE, status=T.Status.REQUESTED)
    assert retried.idempotency_key != declined.idempotency_key
    assert retried.reference == "shipment:1"
    run_owed()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert OrderEvent.objects.filter(order=order, type="payment_retried").exists()


def test_only_failed_payments_are_retried_and_only_by_support_or_managers(
    stock, web, support_user, fulfillment_user
):
    order = _authorized("tok_insufficient_funds")
    payment = Payment.objects.get(order=order)
    with pytest.raises(PaymentNotRetryable):
        payment_retry(payment=payment, actor=support_user)
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    run_owed()
    with pytest.raises(PaymentPermissionDenied):
        payment_retry(payment=payment, actor=fulfillment_user)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED


def test_on_confirm_channels_capture_when_the_order_is_ready(stock):
    channel = SalesChannelFactory(
        code="phone", capture_policy=SalesChannel.CapturePolicy.ON_CONFIRM
    )
    order = _authorized(channel=channel)
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.transactions.get(kind=T.Kind.CAPTURE).reference == "order:confirmed"
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_on_confirm_waits_while_the_order_is_held_and_captures_on_release(stock, support_user):
    channel = SalesChannelFactory(
        code="phone", capture_policy=SalesChannel.CapturePolicy.ON_CONFIRM
    )
    order = order_paid_by(card(), channel=channel)
    hold = order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    run_owed()
    assert Payment.objects.get(order=order).status == PaymentStatus.AUTHORIZED
    order_hold_release(order=order, hold=hold, actor=support_user)
    run_owed()
    assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED
    assert _bank_captures() == [Decimal("20.00")]


def test_on_ship_channels_do_not_capture_at_ready(stock, web):
    order = _authorized()
    assert Payment.objects.get(order=order).status == PaymentStatus.AUTHORIZED
    assert _bank_captures() == []


def test_the_sweeper_sends_what_a_lost_message_left_owed(stock, web):
    from datetime import timedelta

    from django.utils import timezone

    order = order_paid_by(card())  # the message is "lost": nothing runs the authorization
    assert payment_sweep() == 0  # not overdue yet
    assert payment_sweep(now=timezone.now() + timedelta(minutes=5)) == 1
    assert Payment.objects.get(order=order).status == PaymentStatus.AUTHORIZED


def test_a_cancelled_order_takes_no_new_payment(stock, web, support_user):
    from orders.services import order_cancel
    from payments.services import payment_authorize

    order = order_paid_by({})
    order_cancel(order=order, reason="test", actor=support_user)
    with pytest.raises(InvalidTransition):
        payment_authorize(order=order, gateway="sandbox", token="tok_visa", actor=support_user)
