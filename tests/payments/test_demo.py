"""The payments demo: every order payment status on show, the money consistent, seeded once.

Seeding takes a few seconds, so one test seeds twice and checks everything in between.
Inside a test nothing commits, so no task runs after commit: the seeder itself must make every
gateway call the demo owes, as it must when `REDIS_URL` is set and no worker runs.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from oms.money import ZERO
from orders.models import HoldReason, Order, OrderStatus
from payments.models import Payment, PaymentStatus, PaymentTransaction, SandboxLedgerEntry
from payments.models.sandbox import SandboxOutcome, SandboxRequest

pytestmark = pytest.mark.django_db

T = PaymentTransaction


def seed() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--skip", "history", stdout=out)
    return out.getvalue()


def demo_orders():
    """The orders demo's orders (not the returns demo's replacements, paid by what came back)."""
    return Order.objects.filter(external_id__startswith="DEMO-").exclude(
        origin=Order.Origin.EXCHANGE
    )


def snapshot() -> dict:
    return {
        "payments": list(Payment.objects.order_by("id").values_list("id", "status")),
        "transactions": list(T.objects.order_by("id").values_list("id", "status")),
        "orders": dict(demo_orders().values_list("external_id", "payment_status")),
        "sandbox": SandboxRequest.objects.count(),
    }


def ledger_total(payment: Payment, operation: str):
    entries = SandboxLedgerEntry.objects.filter(approved=True, operation=operation)
    if operation == "authorize":
        entries = entries.filter(reference=payment.authorization_reference)
    else:
        entries = entries.filter(authorization=payment.authorization_reference)
    return entries.aggregate(total=Sum("amount"))["total"] or ZERO


def assert_amounts_hold(payment: Payment) -> None:
    assert 0 <= payment.amount_refunded <= payment.amount_captured, payment
    assert payment.amount_captured <= payment.amount_authorized - payment.amount_voided, payment
    assert payment.status == payment.settled_status(), payment


def assert_sandbox_agrees(payment: Payment) -> None:
    """What the card processor's books say moved is what the payment says it took."""
    if not payment.authorization_reference:
        assert payment.amount_authorized == payment.amount_captured == 0, payment
        return
    assert ledger_total(payment, "authorize") == payment.amount_authorized, payment
    assert ledger_total(payment, "capture") == payment.amount_captured, payment
    assert ledger_total(payment, "refund") == payment.amount_refunded, payment
    assert ledger_total(payment, "void") == payment.amount_voided, payment


def test_seed_demo_shows_every_payment_status_with_consistent_money_once():
    first = seed()

    counts = {
        status: demo_orders().filter(payment_status=status).count()
        for status in Order.PaymentStatus.values
    }
    assert "payments: gateway calls " in first
    assert all(count > 0 for count in counts.values()), counts
    # The summary counts what payments left; the shipping demo then captures what it ships.
    assert re.search(r"payments: .*, paid \d+, partially refunded \d+", first)
    # The demo is complete even without a worker: nothing is left owed.
    assert not T.objects.filter(status=T.Status.REQUESTED).exists()

    # "No payment" only where a cancellation closed the payment before any money moved.
    for order in demo_orders().filter(payment_status=Order.PaymentStatus.NONE):
        assert order.status == OrderStatus.CANCELLED, order
        assert set(order.payments.values_list("status", flat=True)) == {PaymentStatus.VOIDED}

    # A failed payment is in the failed queue, and its order waits on a payment_failed hold.
    for order in demo_orders().filter(payment_status=Order.PaymentStatus.FAILED):
        assert order.payments.filter(status=PaymentStatus.FAILED).exists(), order
        assert order.holds.filter(
            reason=HoldReason.PAYMENT_FAILED, released_at__isnull=True
        ).exists(), order
    declined = {"tok_declined", "tok_insufficient_funds"}
    assert {
        payment.token for payment in Payment.objects.filter(status=PaymentStatus.FAILED)
    } == declined

    # Money still to come: marketplace orders not yet paid, bank transfers not yet arrived.
    awaited = Payment.objects.filter(order__payment_status=Order.PaymentStatus.PENDING)
    assert {(payment.gateway, payment.status) for payment in awaited} == {
        ("marketplace", PaymentStatus.PENDING),
        ("manual", PaymentStatus.PENDING),
    }
    deposits = demo_orders().filter(payment_status=Order.PaymentStatus.PARTIALLY_PAID)
    assert all(0 < order.amount_paid < order.grand_total for order in deposits)

    # Money taken on the channel or at the counter is the order's total as capture computes it.
    for payment in Payment.objects.filter(gateway__in=("marketplace", "manual")).exclude(
        method="bank_transfer"
    ):
        assert payment.amount == payment.order.grand_total, payment

    # Phone orders capture their card once ready; cancelling later releases or refunds it.
    phone_cards = Payment.objects.filter(order__channel__code="manual", gateway="sandbox")
    assert phone_cards.filter(status=PaymentStatus.CAPTURED, order__status="ready").exists()
    cancelled_cards = Payment.objects.filter(gateway="sandbox", order__status="cancelled")
    assert cancelled_cards.filter(status=PaymentStatus.VOIDED, amount_voided__gt=0).exists()
    assert cancelled_cards.filter(status=PaymentStatus.REFUNDED).exists()
    assert T.objects.filter(kind=T.Kind.REFUND, reason="order cancelled", status="succeeded")
    # A flaky processor was retried until it approved.
    assert SandboxRequest.objects.filter(outcome=SandboxOutcome.TRANSIENT_ERROR).exists()
    assert not Payment.objects.filter(token="tok_flaky").exclude(
        status__in=(PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED)
    )

    for payment in Payment.objects.all():
        assert_amounts_hold(payment)
        if payment.gateway == "sandbox":
            assert_sandbox_agrees(payment)
    card_captured = Payment.objects.filter(gateway="sandbox").aggregate(
        total=Sum("amount_captured")
    )["total"]
    bank_captured = SandboxLedgerEntry.objects.filter(operation="capture", approved=True).aggregate(
        total=Sum("amount")
    )["total"]
    assert card_captured == bank_captured > 0
    for order in demo_orders().prefetch_related("payments"):
        paid = sum((p.amount_captured - p.amount_refunded for p in order.payments.all()), ZERO)
        assert order.amount_paid == paid, order
    # Every order is a demo order, or the replacement of a demo return (no channel id).
    others = Order.objects.exclude(external_id__startswith="DEMO-")
    assert not others.exclude(origin=Order.Origin.EXCHANGE, original_order__isnull=False).exists()

    before = snapshot()
    again = seed()

    assert (
        "payments: gateway calls 0, cancelled after payment 0, transfers recorded 0, refunds 0,"
        in again
    )
    assert snapshot() == before
