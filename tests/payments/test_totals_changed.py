"""An edit that changes the order total: payments re-authorizes a rise and releases a drop."""

from decimal import Decimal

import pytest

from orders.models import OrderEvent
from orders.services import order_line_add, order_line_remove, order_line_set_quantity
from payments.models import Payment, PaymentStatus, SandboxLedgerEntry
from payments.services import payment_record, payment_request_capture
from tests.payments.factories import card, order_paid_by, run_owed

pytestmark = pytest.mark.django_db


def test_a_higher_total_is_authorized_on_the_same_card(stock, web, support_user):
    order = order_paid_by(card())
    run_owed()
    order_line_add(
        order=order, product=stock["TEE"], quantity=1, unit_price=None, actor=support_user
    )
    run_owed()
    payments = list(Payment.objects.filter(order=order).order_by("id"))
    assert [(p.amount_authorized, p.token, p.status) for p in payments] == [
        (Decimal("20.00"), "tok_visa", PaymentStatus.AUTHORIZED),
        (Decimal("25.00"), "tok_visa", PaymentStatus.AUTHORIZED),
    ]
    difference = OrderEvent.objects.get(order=order, type="payment_difference")
    assert "from 20.00 USD to 45.00 USD" in difference.message
    assert "authorizing the extra 25.00 USD" in difference.message
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("authorized", Decimal("45.00"))


def test_a_lower_total_releases_the_difference_of_the_authorization(stock, web, support_user):
    order = order_paid_by(card(), lines=[("MUG", 2, "10.00"), ("TEE", 1, "25.00")])
    run_owed()
    line = order.lines.get(sku="TEE")
    order_line_remove(order=order, line=line, actor=support_user)
    run_owed()
    payment = Payment.objects.get(order=order)
    assert (payment.amount_authorized, payment.amount_voided, payment.amount_open) == (
        Decimal("45.00"),
        Decimal("25.00"),
        Decimal("20.00"),
    )
    assert payment.status == PaymentStatus.AUTHORIZED
    voids = SandboxLedgerEntry.objects.filter(operation="void", approved=True)
    assert list(voids.values_list("amount", flat=True)) == [Decimal("25.00")]


def test_money_taken_beyond_a_lowered_total_is_flagged_not_refunded(stock, web, support_user):
    order = order_paid_by({}, lines=[("MUG", 3, "10.00")])
    payment_record(order=order, amount="30.00", method="cash", actor=support_user)
    order_line_set_quantity(order=order, line=order.lines.get(), quantity=1, actor=support_user)
    order.refresh_from_db()
    assert order.balance_due == Decimal("-20.00")
    difference = OrderEvent.objects.get(order=order, type="payment_difference")
    assert "20.00 USD more than the new total was already taken" in difference.message
    assert Payment.objects.get(order=order).amount_refunded == 0


def test_without_a_card_a_higher_total_is_left_due(stock, web, support_user):
    order = order_paid_by({})
    payment_record(order=order, amount="20.00", method="cash", actor=support_user)
    order_line_add(
        order=order, product=stock["MUG"], quantity=1, unit_price=None, actor=support_user
    )
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("partially_paid", Decimal("10.00"))
    difference = OrderEvent.objects.get(order=order, type="payment_difference")
    assert "10.00 USD more is due" in difference.message


def test_a_partly_captured_order_releases_only_what_is_still_open(stock, web, support_user):
    order = order_paid_by(card(), lines=[("MUG", 2, "10.00"), ("TEE", 1, "25.00")])
    run_owed()
    payment_request_capture(order=order, amount=Decimal("40.00"), reference="shipment:1")
    run_owed()
    order_line_set_quantity(
        order=order, line=order.lines.get(sku="MUG"), quantity=1, actor=support_user
    )
    run_owed()
    payment = Payment.objects.get(order=order)
    assert (payment.amount_captured, payment.amount_voided) == (Decimal("40.00"), Decimal("5.00"))
    assert payment.status == PaymentStatus.CAPTURED
