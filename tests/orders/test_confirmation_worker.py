"""The confirmation email is owed until the mail server took it: a real Celery worker killed in
the middle of sending it loses nothing, the sweeper has it sent once, and orders captured close
together are sent by one batch; batches racing each other send every email once."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from oms.celery import app as celery_app
from orders.models import Order
from orders.services import (
    order_confirmation_send,
    order_confirmation_sweep,
    order_confirmations_send_owed,
)
from orders.services.notifications import CONFIRMATION_GRACE
from tests.concurrency import run_concurrently, wait_for
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture
from tests.workers import kill, worker_process

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_while_sending_the_confirmation_leaves_it_owed_and_it_goes_out_once(
    own_queue, mail_server, settings, tmp_path
):
    channel = SalesChannelFactory(code="web")
    give_stock(ProductFactory(sku="MUG", price=Decimal("16.00")), WarehouseFactory(), 10)
    mail_server.stall_next_message()
    celery_app.conf.task_always_eager = False
    log = tmp_path / "worker.log"
    worker = worker_process(own_queue, log, EMAIL_URL=mail_server.url)
    try:
        order = capture(channel, [("MUG", 1)], email="ada@example.com")  # commits: task queued
        # The worker took the email and is in the middle of handing it to the mail server …
        wait_for(lambda: mail_server.stalled.is_set() or worker.poll() is not None, timeout=60)
        assert worker.poll() is None, log.read_text()
        leased = Order.objects.get(pk=order.pk)
        assert leased.confirmation_due is True
        assert leased.confirmation_leased_until > timezone.now()
    finally:
        kill(worker)  # … and dies there.
    mail_server.released.set()

    mail_server.use_for(settings)
    order.refresh_from_db()
    assert order.confirmation_due is True  # still owed: nothing was marked sent before sending
    assert mail_server.messages == []
    assert not order.events.filter(type="email_sent").exists()
    # While the dead worker's lease runs, another worker handed the order leaves it alone.
    assert order_confirmation_send(order_id=order.pk) is False
    assert mail_server.messages == []

    # Later the sweeper finds it owed past the lease and a worker sends it.
    celery_app.conf.task_always_eager = True
    assert order_confirmation_sweep(now=timezone.now() + CONFIRMATION_GRACE) == 1

    assert [(message["To"], message["Subject"]) for message in mail_server.messages] == [
        ("ada@example.com", f"Your order {order.number}")
    ]
    order.refresh_from_db()
    assert (order.confirmation_due, order.confirmation_leased_until) == (False, None)
    assert order.events.filter(type="email_sent").count() == 1
    assert order_confirmation_sweep(now=timezone.now() + CONFIRMATION_GRACE) == 0


def test_captures_close_together_ask_for_one_batch_which_sends_every_email_once(
    own_queue, mail_server, tmp_path
):
    channel = SalesChannelFactory(code="web")
    give_stock(ProductFactory(sku="MUG", price=Decimal("16.00")), WarehouseFactory(), 10)
    celery_app.conf.task_always_eager = False
    orders = [capture(channel, [("MUG", 1)], email=f"shopper{n}@example.com") for n in range(5)]

    with celery_app.connection_for_write() as connection:
        queued = connection.default_channel.queue_declare(own_queue, passive=True).message_count
    assert queued == 1  # one batch for the five (a task per order before)

    owed = Order.objects.filter(pk__in=[order.pk for order in orders], confirmation_due=True)
    log = tmp_path / "worker.log"
    worker = worker_process(own_queue, log, EMAIL_URL=mail_server.url)
    try:  # done when the worker has recorded every email sent, not just handed them over
        wait_for(lambda: not owed.exists() or worker.poll() is not None, timeout=60)
        assert worker.poll() is None, log.read_text()
    finally:
        kill(worker)
    assert sorted(message["To"] for message in mail_server.messages) == [
        f"shopper{n}@example.com" for n in range(5)
    ]
    for order in orders:
        assert order.events.filter(type="email_sent").count() == 1


def test_batches_running_at_once_send_every_owed_email_exactly_once():
    channel = SalesChannelFactory(code="web")
    give_stock(ProductFactory(sku="MUG", price=Decimal("16.00")), WarehouseFactory(), 20)
    orders = [
        capture(channel, [("MUG", 1)], email=f"shopper{n}@example.com", notify_customer=False)
        for n in range(20)
    ]
    Order.objects.update(confirmation_due=True)  # owed, and no batch has run yet

    # Small batches, each asking for the next: the four workers keep leasing from one queue.
    results = run_concurrently(4, lambda _: order_confirmations_send_owed(limit=3))

    assert [outcome for outcome, _ in results] == ["ok"] * 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted(o.email for o in orders)
    assert not Order.objects.filter(confirmation_due=True).exists()
    for order in orders:
        assert order.events.filter(type="email_sent").count() == 1
