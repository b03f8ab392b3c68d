"""Refunds (bounds, reasons, role limits), money received by hand, and cancelling paid orders."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderEvent
from orders.services import order_cancel
from payments.errors import (
    PaymentInvalid,
    PaymentPermissionDenied,
    RefundExceedsCaptured,
    RefundLimitExceeded,
)
from payments.models import Payment, PaymentStatus, PaymentTransaction, SandboxLedgerEntry
from payments.services import payment_record, payment_refund, payment_request_capture
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, run_owed

pytestmark = pytest.mark.django_db
T = PaymentTransaction


def _captured(amount="20.00", **kwargs) -> Order:
    order = order_paid_by(card(), **kwargs)
    run_owed()
    payment_request_capture(order=order, amount=Decimal(amount), reference="shipment:1")
    run_owed()
    return order


def _bank(operation: str) -> list[Decimal]:
    return list(
        SandboxLedgerEntry.objects.filter(operation=operation, approved=True)
        .order_by("id")
        .values_list("amount", flat=True)
    )


def test_a_partial_refund_gives_back_part_and_keeps_the_rest(stock, web, support_user):
    order = _captured()
    payment_refund(order=order, amount="7.50", reason="scratched mug", actor=support_user)
    run_owed()
    payment = Payment.objects.get(order=order)
    order.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.amount_refunded == Decimal("7.50")
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "partially_refunded",
        Decimal("12.50"),
        Decimal("7.50"),
    )
    assert _bank("refund") == [Decimal("7.50")]
    refunded = OrderEvent.objects.get(order=order, type="payment_refunded")
    assert "7.50 USD" in refunded.message and "scratched mug" in refunded.message
    assert refunded.actor == support_user


def test_refunding_everything_marks_the_order_refunded(stock, web, manager_user):
    order = _captured()
    payment_refund(order=order, amount="20.00", reason="lost in transit", actor=manager_user)
    run_owed()
    order.refresh_from_db()
    assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED
    assert (order.payment_status, order.amount_paid) == ("refunded", 0)


def test_a_refund_above_what_was_captured_is_refused_and_changes_nothing(stock, web, manager_user):
    order = _captured("12.00")
    with pytest.raises(RefundExceedsCaptured) as refused:
        payment_refund(order=order, amount="12.01", reason="too much", actor=manager_user)
    assert refused.value.status_code == 409
    assert refused.value.extra == {"refundable": "12.00"}
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


def test_refunds_being_made_count_against_what_is_left(stock, web, manager_user):
    order = _captured()
    payment_refund(order=order, amount="15.00", reason="first", actor=manager_user)
    # The first refund is still owed (not yet sent): only 5.00 remains refundable.
    with pytest.raises(RefundExceedsCaptured):
        payment_refund(order=order, amount="6.00", reason="second", actor=manager_user)
    payment_refund(order=order, amount="5.00", reason="second", actor=manager_user)
    run_owed()
    assert sum(_bank("refund")) == Decimal("20.00")


def test_support_refunds_up_to_the_limit_and_managers_beyond_it(
    stock, web, support_user, manager_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    order = _captured()
    with pytest.raises(RefundLimitExceeded) as refused:
        payment_refund(order=order, amount="10.01", reason="broken", actor=support_user)
    assert refused.value.status_code == 403
    assert "need a manager" in refused.value.message
    payment_refund(order=order, amount="10.00", reason="broken", actor=support_user)
    payment_refund(order=order, amount="10.00", reason="broken too", actor=manager_user)
    run_owed()
    assert _bank("refund") == [Decimal("10.00"), Decimal("10.00")]


def test_fulfillment_may_not_refund(stock, web, fulfillment_user):
    order = _captured()
    with pytest.raises(PaymentPermissionDenied):
        payment_refund(order=order, amount="1.00", reason="no", actor=fulfillment_user)


@pytest.mark.parametrize(
    ("amount", "reason"), [("0", "zero"), ("-5", "negative"), ("1.00", "  "), ("1e20", "huge")]
)
def test_a_refund_needs_a_positive_amount_and_a_reason(stock, web, manager_user, amount, reason):
    order = _captured()
    with pytest.raises(PaymentInvalid):
        payment_refund(order=order, amount=amount, reason=reason, actor=manager_user)


def test_recording_cash_received_pays_the_order(stock, web, support_user):
    order = order_paid_by({"gateway": "manual", "method": "bank_transfer"})
    payment_record(
        order=order, amount="20.00", method="bank_transfer", reference="BANK-77", actor=support_user
    )
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.CAPTURED
    assert (payment.reference, payment.recorded_by) == ("BANK-77", support_user)
    assert (order.payment_status, order.balance_due) == ("paid", 0)
    recorded = OrderEvent.objects.get(order=order, type="payment_recorded")
    assert "BANK-77" in recorded.message and recorded.actor == support_user


def test_a_deposit_leaves_the_order_partially_paid_then_paid(stock, web, support_user):
    order = order_paid_by({})
    payment_record(order=order, amount="5.00", method="cash", actor=support_user)
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("partially_paid", Decimal("15.00"))
    payment_record(order=order, amount="15.00", method="cash", actor=support_user)
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("paid", 0)
    assert Payment.objects.filter(order=order).count() == 2


def test_fulfillment_may_not_record_payments(stock, web, fulfillment_user):
    order = order_paid_by({})
    with pytest.raises(PaymentPermissionDenied):
        payment_record(order=order, amount="5.00", method="cash", actor=fulfillment_user)
    assert not Payment.objects.exists()


def test_cancelling_voids_an_uncaptured_authorization(stock, web, support_user):
    order = order_paid_by(card())
    run_owed()
    order_cancel(order=order, reason="changed mind", actor=support_user)
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.VOIDED
    assert payment.amount_voided == Decimal("20.00")
    assert _bank("void") == [Decimal("20.00")]
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("none", 0)


def test_cancelling_refunds_what_was_captured(stock, web, support_user):
    order = _captured("15.00")
    order_cancel(order=order, reason="customer asked", actor=support_user)
    run_owed()
    payment = Payment.objects.get(order=order)
    assert (payment.amount_captured, payment.amount_refunded, payment.amount_voided) == (
        Decimal("15.00"),
        Decimal("15.00"),
        Decimal("5.00"),
    )
    assert payment.status == PaymentStatus.REFUNDED
    order.refresh_from_db()
    assert (order.payment_status, order.amount_paid, order.balance_due) == ("refunded", 0, 0)


def test_cancelling_before_the_authorization_was_sent_closes_the_payment(stock, web, support_user):
    order = order_paid_by(card())
    order_cancel(order=order, reason="duplicate", actor=support_user)
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.VOIDED
    assert payment.transactions.get().status == T.Status.CANCELLED
    assert not SandboxLedgerEntry.objects.exists()


def test_cancelling_while_the_authorization_is_out_releases_it_when_it_lands(
    stock, web, support_user
):
    order = order_paid_by(card())
    authorization = T.objects.get()
    T.objects.filter(pk=authorization.pk).update(attempts=1)  # a worker has sent it
    order_cancel(order=order, reason="duplicate", actor=support_user)
    assert T.objects.get(pk=authorization.pk).status == T.Status.REQUESTED
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.VOIDED
    assert _bank("authorize") == [Decimal("20.00")] and _bank("void") == [Decimal("20.00")]


def test_cancelling_a_cash_order_flags_the_money_to_give_back(stock, support_user):
    channel = SalesChannelFactory(code="pos", kind="pos")
    order = order_paid_by(
        {"gateway": "manual", "method": "cash", "amount": "20.00"}, channel=channel
    )
    order_cancel(order=order, reason="returned at the counter", actor=support_user)
    order.refresh_from_db()
    assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED
    assert order.balance_due == Decimal("-20.00")
    owed = OrderEvent.objects.get(order=order, type="payment_refund_owed")
    assert "20.00 USD" in owed.message
    payment_refund(order=order, amount="20.00", reason="cash returned", actor=support_user)
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("refunded", 0)


def test_a_declined_card_on_a_cancelled_order_is_not_shown_as_failed(stock, web, support_user):
    order = order_paid_by(card("tok_declined"))
    T.objects.filter(kind=T.Kind.AUTHORIZE).update(attempts=1)  # already sent when cancelled
    order_cancel(order=order, reason="customer gave up", actor=support_user)
    run_owed()
    order.refresh_from_db()
    assert Payment.objects.get(order=order).status == PaymentStatus.FAILED
    assert (order.payment_status, order.balance_due) == ("none", 0)
    assert not order.holds.exists()


def test_nothing_is_captured_for_a_cancelled_order(stock, web, support_user):
    from oms.errors import InvalidTransition

    order = order_paid_by(card())
    run_owed()
    order_cancel(order=order, reason="test", actor=support_user)
    with pytest.raises(InvalidTransition):
        payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")


def test_a_refund_the_processor_declines_fails_the_payment_visibly(stock, web, manager_user):
    order = _captured()
    payment = Payment.objects.get(order=order)
    # The processor refunded part of it behind our back (e.g. a chargeback), so our refund of
    # the full amount is refused by its books.
    from payments.gateways import get_gateway

    get_gateway("sandbox").refund(
        authorization=payment.authorization_reference,
        amount=Decimal("5.00"),
        currency="USD",
        idempotency_key="chargeback-1",
    )
    payment_refund(order=order, amount="20.00", reason="all of it", actor=manager_user)
    run_owed()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert payment.amount_refunded == 0
    assert (
        "amount_exceeds_captured"
        in OrderEvent.objects.get(order=order, type="payment_declined").message
    )


def test_part_of_an_awaited_transfer_received_is_a_payment_of_that_amount(stock, web, support_user):
    order = order_paid_by({"gateway": "manual", "method": "bank_transfer"})
    payment_record(order=order, amount="6.00", method="bank_transfer", actor=support_user)
    payment = Payment.objects.get(order=order)
    assert (payment.amount, payment.amount_captured, payment.status) == (
        Decimal("6.00"),
        Decimal("6.00"),
        PaymentStatus.CAPTURED,
    )
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("partially_paid", Decimal("14.00"))
