"""The returns demo: returns in every state on shipped demo orders, made through the services,
seeded once, emailing nobody."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from inventory.audit import audit_ledger
from inventory.models import StockMovement
from orders.models import Order, OrderStatus
from payments.models import PaymentTransaction
from returns.demo import restocking_fee
from returns.models import ReturnRequest, ReturnStatus
from returns.services import (
    ReceivedUnits,
    ReturnLineData,
    refund_quote,
    return_approve,
    return_create,
    return_exchange,
    return_receive,
)

pytestmark = pytest.mark.django_db
S = ReturnStatus


def seed() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--skip", "history", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "returns": list(
            ReturnRequest.objects.order_by("id").values_list("id", "status", "refund_amount")
        ),
        "orders": dict(Order.objects.values_list("number", "status")),
        "refunds": PaymentTransaction.objects.filter(kind="refund").count(),
        "movements": StockMovement.objects.count(),
    }


def test_seed_demo_shows_every_return_state_with_stock_and_money_consistent():
    output = seed()
    assert "returns: new returns 9" in output
    returns = ReturnRequest.objects.select_related("order").order_by("id")
    assert {rma.status for rma in returns} == set(S.values)
    assert all(rma.order.external_id.startswith("DEMO-") for rma in returns)
    assert all(rma.order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) for rma in returns)
    assert len({rma.order_id for rma in returns}) == len(returns)  # one return per order
    # Nobody is emailed about a demo return.
    assert all(not rma.notify_customer and rma.email_due == "" for rma in returns)

    labelled = returns.get(status=S.APPROVED, label_status=ReturnRequest.LabelStatus.READY)
    assert labelled.tracking_number and labelled.label_pdf.read().startswith(b"%PDF")
    assert returns.filter(status=S.APPROVED, label_status="none").exists()
    assert returns.get(status=S.REJECTED).rejection_reason

    # Received in part: one unit restocked, one damaged, one still on its way.
    (line,) = returns.get(status=S.RECEIVED).lines.all()
    assert (line.quantity_sellable, line.quantity_damaged, line.quantity_outstanding) == (1, 1, 1)
    restocked = StockMovement.objects.filter(kind="restock", reference__startswith="return:RMA-")
    assert restocked.exists()
    assert audit_ledger()[1] == []

    # Every refund reached payments, and the orders' payment status follows.
    settled = returns.filter(refund_amount__gt=0)
    assert {rma.status for rma in settled} == {S.REFUNDED, S.CLOSED}
    for rma in settled:
        refund = PaymentTransaction.objects.get(kind="refund", reason=f"Return {rma.number}")
        assert (refund.amount, refund.status) == (rma.refund_amount, "succeeded")
        assert rma.order.payment_status in (
            Order.PaymentStatus.PARTIALLY_REFUNDED,
            Order.PaymentStatus.REFUNDED,
        )
    with_shipping = settled.get(shipping_refunded=True)
    fee = restocking_fee(with_shipping)
    assert fee > 0
    assert with_shipping.refund_amount == (
        refund_quote(with_shipping, include_shipping=True, restocking_fee=fee).computed
    )

    # The exchange's replacement exists, linked, and was processed like any order.
    exchanged = returns.get(status=S.EXCHANGED)
    replacement = exchanged.replacement_order
    assert (replacement.origin, replacement.original_order) == (
        Order.Origin.EXCHANGE,
        exchanged.order,
    )
    assert replacement.status in (OrderStatus.READY, OrderStatus.BACKORDERED)
    assert [(line.sku, line.quantity) for line in replacement.lines.all()] == [
        (item["sku"], item["quantity"]) for item in exchanged.exchange_request
    ]

    before = snapshot()
    again = seed()
    assert "returns: new returns 0" in again
    assert snapshot() == before


def test_the_replacement_for_a_return_that_notifies_nobody_notifies_nobody(
    order, support_user, fulfillment_user
):
    rma = return_create(
        order=order,
        lines=[ReturnLineData("TEE", 1, "wrong_item")],
        resolution="exchange",
        notify_customer=False,
        actor=support_user,
    )
    return_approve(rma=rma, actor=support_user)
    return_receive(rma=rma, lines=[ReceivedUnits("TEE", 1, "sellable")], actor=fulfillment_user)
    rma = return_exchange(rma=ReturnRequest.objects.get(pk=rma.pk), actor=support_user)
    assert not rma.replacement_order.confirmation_due
