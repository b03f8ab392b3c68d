"""Capture with a payment block: the payment is written with the order, authorized after commit."""

from decimal import Decimal

import pytest

from orders.models import HoldReason, Order, OrderEvent, OrderStatus
from payments.models import Payment, PaymentStatus, PaymentTransaction, SandboxLedgerEntry
from payments.models.sandbox import SandboxRequest
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, run_owed

pytestmark = pytest.mark.django_db
T = PaymentTransaction


def test_capture_only_writes_the_payment_and_owes_the_authorization(stock, web):
    order = order_paid_by(card())
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == Decimal("20.00")
    owed = payment.transactions.get()
    assert (owed.kind, owed.status, owed.amount) == (T.Kind.AUTHORIZE, T.Status.REQUESTED, 20)
    # Nothing reached the processor inside the capture transaction.
    assert not SandboxRequest.objects.exists()
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PENDING
    assert order.balance_due == Decimal("20.00")


def test_the_worker_authorizes_after_commit(stock, web, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_paid_by(card())
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.amount_authorized == Decimal("20.00")
    assert payment.authorization_reference.startswith("sbx_auth_")
    order.refresh_from_db()
    assert (order.payment_status, order.amount_paid, order.balance_due) == ("authorized", 0, 20)
    bank = SandboxLedgerEntry.objects.get()
    assert (bank.operation, bank.amount, bank.approved) == ("authorize", Decimal("20.00"), True)
    assert order.events.filter(type="payment_authorized").exists()


def test_a_declined_card_fails_the_payment_and_holds_the_order(stock, web):
    order = order_paid_by(card("tok_declined"))
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.FAILED
    assert "The card was declined." in payment.failure_reason
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    assert order.payment_status == Order.PaymentStatus.FAILED
    hold = order.holds.get(released_at__isnull=True)
    assert hold.reason == HoldReason.PAYMENT_FAILED
    assert "card was declined" in hold.note
    declined = OrderEvent.objects.get(order=order, type="payment_declined")
    assert "The card was declined (card_declined)." in declined.message
    assert "card_declined" in declined.message


def test_a_flaky_processor_is_retried_until_it_approves(stock, web):
    order = order_paid_by(card("tok_flaky"))
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.AUTHORIZED
    authorization = payment.transactions.get(kind=T.Kind.AUTHORIZE)
    assert authorization.attempts == 3
    outcomes = list(
        SandboxRequest.objects.filter(idempotency_key=authorization.idempotency_key)
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["transient_error", "transient_error", "approved"]
    assert SandboxLedgerEntry.objects.filter(approved=True).count() == 1


def test_transient_errors_past_the_last_attempt_fail_the_payment(stock, web, settings):
    settings.PAYMENTS_MAX_ATTEMPTS = 2
    order = order_paid_by(card("tok_flaky"))
    run_owed()
    payment = Payment.objects.get(order=order)
    authorization = payment.transactions.get()
    assert (authorization.status, authorization.attempts) == (T.Status.FAILED, 2)
    assert payment.status == PaymentStatus.FAILED
    assert order.holds.filter(reason=HoldReason.PAYMENT_FAILED).exists()
    assert OrderEvent.objects.filter(order=order, type="payment_failed").exists()


def test_a_card_payment_without_token_keeps_the_order_on_hold(stock, web):
    order = order_paid_by({"gateway": "sandbox", "method": "card"})
    order.refresh_from_db()
    assert not Payment.objects.filter(order=order).exists()
    assert order.status == OrderStatus.ON_HOLD
    assert "without a token" in order.holds.get().note


def test_an_unknown_gateway_keeps_the_order_on_hold_with_the_reason(stock, web):
    order = order_paid_by({"gateway": "stripe", "token": "tok_x"})
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    assert "no payment gateway 'stripe'" in order.holds.get().note


def test_marketplace_paid_orders_are_paid_without_a_gateway_call(stock):
    channel = SalesChannelFactory(code="shopify", kind="marketplace")
    order = order_paid_by(
        {"gateway": "marketplace", "method": "shopify", "amount": "20.00"}, channel=channel
    )
    order.refresh_from_db()
    assert (order.payment_status, order.amount_paid, order.balance_due) == ("paid", 20, 0)
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.CAPTURED
    assert (payment.amount_authorized, payment.amount_captured) == (20, 20)
    assert not T.objects.filter(status=T.Status.REQUESTED).exists()
    assert not SandboxRequest.objects.exists()


def test_money_to_come_is_awaited_until_staff_record_it(stock, web):
    order = order_paid_by({"gateway": "manual", "method": "bank_transfer"})
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.PENDING
    assert order.payment_status == Order.PaymentStatus.PENDING
    assert not payment.transactions.exists()
    assert order.events.filter(type="payment_awaited").exists()


def test_an_order_without_a_payment_block_has_no_payment(stock, web):
    order = order_paid_by({})
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.NONE
    assert order.balance_due == Decimal("20.00")
