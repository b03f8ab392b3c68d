"""Random sequences of authorize, capture, refund, void, record and cancel keep every amount
invariant — in our books, in the processor's, and on the order — after every step."""

import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from oms.errors import DomainError
from orders.models import Order, OrderStatus
from orders.services import balance_due_for, order_cancel
from payments.errors import RefundExceedsCaptured
from payments.models import Payment, SandboxLedgerEntry
from payments.services import (
    payment_authorize,
    payment_record,
    payment_refund,
    payment_request_capture,
    payments_release_uncaptured,
)
from payments.summary import summarize
from tests.oms.factories import UserFactory
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, run_owed, stocked_product

machine_ids = itertools.count()
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60.00"), places=2)
tokens = st.sampled_from(["tok_visa", "tok_visa", "tok_insufficient_funds", "tok_declined"])


class PaymentMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        run = next(machine_ids)
        stocked_product(f"HYP-{run}", price="10.00")
        self.manager = UserFactory(role="Manager", username=f"hyp-manager-{run}")
        self.order = order_paid_by(
            card(),
            channel=SalesChannelFactory(code=f"hyp{run}"),
            lines=[(f"HYP-{run}", 4, "10.00")],
        )
        self.shipments = itertools.count(1)
        run_owed()

    def _order(self) -> Order:
        return Order.objects.get(pk=self.order.pk)

    def _open(self) -> bool:
        return self._order().status != OrderStatus.CANCELLED

    @precondition(lambda self: self._open())
    @rule(amount=amounts, token=tokens)
    def authorize(self, amount, token):
        payment_authorize(
            order=self.order, gateway="sandbox", token=token, amount=amount, actor=self.manager
        )

    @precondition(lambda self: self._open())
    @rule(amount=amounts)
    def capture_shipment(self, amount):
        payment_request_capture(
            order=self.order, amount=amount, reference=f"shipment:{next(self.shipments)}"
        )

    @rule(amount=amounts)
    def refund(self, amount):
        try:
            payment_refund(order=self.order, amount=amount, reason="hyp", actor=self.manager)
        except RefundExceedsCaptured as refused:
            assert amount > Decimal(refused.extra["refundable"])

    @precondition(lambda self: self._open())
    @rule(amount=amounts)
    def record_cash(self, amount):
        payment_record(order=self.order, amount=amount, method="cash", actor=self.manager)

    @rule()
    def release_uncaptured(self):
        payments_release_uncaptured(order=self.order)

    @precondition(lambda self: self._open())
    @rule()
    def cancel(self):
        order_cancel(order=self.order, reason="hyp", actor=self.manager)

    @rule()
    def worker_runs(self):
        run_owed()

    @rule(amount=amounts)
    def refund_is_bounded(self, amount):
        """Whatever happens, a refund request beyond what is left is refused whole."""
        left = sum((p.amount_net for p in Payment.objects.filter(order=self.order)), Decimal(0))
        if amount > left:
            with pytest.raises(DomainError):
                payment_refund(order=self.order, amount=amount, reason="hyp", actor=self.manager)

    @invariant()
    def every_amount_adds_up(self):
        order = self._order()
        payments = list(Payment.objects.filter(order=order))
        for payment in payments:
            assert 0 <= payment.amount_refunded <= payment.amount_captured
            assert payment.amount_captured + payment.amount_voided <= payment.amount_authorized
            assert payment.status == payment.settled_status()
            if payment.gateway == "sandbox" and payment.authorization_reference:
                bank = SandboxLedgerEntry.objects.filter(
                    authorization=payment.authorization_reference, approved=True
                )
                moved = dict(
                    bank.values("operation")
                    .annotate(total=Sum("amount"))
                    .values_list("operation", "total")
                )
                assert moved.get("capture", 0) == payment.amount_captured
                assert moved.get("refund", 0) == payment.amount_refunded
                assert moved.get("void", 0) == payment.amount_voided
        worth = Decimal(0) if order.status == OrderStatus.CANCELLED else order.grand_total
        summary = summarize(payments, grand_total=worth)
        assert order.payment_status == summary.status
        assert order.amount_paid == summary.amount_paid
        assert order.balance_due == balance_due_for(order)


@pytest.mark.django_db
def test_random_payment_sequences_keep_every_amount_invariant():
    run_state_machine_as_test(
        PaymentMachine,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None),
    )
