"""Real Celery workers consuming from Redis: authorization and capture done by the worker, retries
with backoff, and a worker killed between the processor's approval and our commit."""

from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from oms.celery import app as celery_app
from orders.models import Order
from payments.models import (
    Payment,
    PaymentStatus,
    PaymentTransaction,
    SandboxLedgerEntry,
    SandboxRequest,
)
from payments.services import payment_request_capture, payment_sweep
from tests.concurrency import wait_for
from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import card, order_paid_by, stocked_product
from tests.workers import kill, worker_process

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
T = PaymentTransaction


def _status(order: Order) -> str:
    return Payment.objects.get(order=order).status


def test_a_worker_authorizes_and_captures_through_redis_retrying_a_flaky_card(own_queue, settings):
    settings.PAYMENTS_RETRY_BASE_SECONDS = 0.2
    stocked_product("MUG", price="10.00")
    celery_app.conf.task_always_eager = False
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[own_queue], shutdown_timeout=20
    ):
        order = order_paid_by(card("tok_flaky"), channel=SalesChannelFactory(code="web"))
        wait_for(lambda: _status(order) == PaymentStatus.AUTHORIZED, timeout=30)
        payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
        wait_for(lambda: _status(order) == PaymentStatus.CAPTURED, timeout=30)
    for kind in (T.Kind.AUTHORIZE, T.Kind.CAPTURE):
        txn = T.objects.get(kind=kind)
        assert (txn.status, txn.attempts) == (T.Status.SUCCEEDED, 3)
        outcomes = list(
            SandboxRequest.objects.filter(idempotency_key=txn.idempotency_key)
            .order_by("id")
            .values_list("outcome", flat=True)
        )
        assert outcomes == ["transient_error", "transient_error", "approved"]
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("paid", 0)


def test_a_worker_killed_after_the_processor_approved_does_not_charge_twice(own_queue):
    stocked_product("MUG", price="10.00")
    order = order_paid_by(card(), channel=SalesChannelFactory(code="web"))  # authorized in-process
    assert _status(order) == PaymentStatus.AUTHORIZED

    celery_app.conf.task_always_eager = False
    # A processor that answers 60 s after it moved the money.
    worker = worker_process(own_queue, PAYMENTS_SANDBOX_RESPONSE_DELAY="60")
    try:
        payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
        # The processor moved the money; the worker is waiting for its answer …
        charge = wait_for(
            lambda: SandboxLedgerEntry.objects.filter(operation="capture").first(), timeout=60
        )
        # … and dies before it could record it.
    finally:
        kill(worker)
    assert charge.approved and charge.amount == Decimal("20.00")
    capture = T.objects.get(kind=T.Kind.CAPTURE)
    assert (capture.status, capture.attempts) == (T.Status.REQUESTED, 1)
    assert Payment.objects.get(order=order).amount_captured == 0  # our books never heard

    # Later the sweeper finds the capture still owed (the dead worker's lease ran out) and
    # sends it again with the same idempotency key.
    celery_app.conf.task_always_eager = True
    assert payment_sweep(now=timezone.now() + _after_lease()) == 1

    capture.refresh_from_db()
    assert (capture.status, capture.attempts) == (T.Status.SUCCEEDED, 2)
    assert capture.gateway_reference == charge.reference
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_captured) == (PaymentStatus.CAPTURED, Decimal("20.00"))
    # The bank charged once: one capture in its ledger, asked twice, the second a replay.
    assert SandboxLedgerEntry.objects.filter(operation="capture").count() == 1
    asked = SandboxRequest.objects.filter(idempotency_key=capture.idempotency_key)
    assert list(asked.order_by("id").values_list("replayed", flat=True)) == [False, True]
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("paid", 0)


def _after_lease():
    from payments.services.execution import LEASE
    from payments.services.sweep import SWEEP_OVERDUE_GRACE

    return LEASE + SWEEP_OVERDUE_GRACE
