"""The order confirmation email: owed from capture until the mail server took it.

The outbox shape of `oms.webhooks.services`, for an email:
1. Lease (one conditional UPDATE, committed at once): the email is owed and nobody holds a live
   lease; take it until now + CONFIRMATION_LEASE. Nothing is marked done.
2. Send, outside any transaction.
3. Record (own transaction): the email is no longer owed; the timeline says it was sent.

A worker killed during the send leaves the email owed; once its lease has run out the sweeper
nudges a worker again. The price is a rare second email (the server took the first, then the
worker died before step 3) — never a lost one.

Captures do not send a task per order: each asks for a batch (`order_confirmations_nudge`), and
a process asks at most once per CONFIRMATION_BATCH_SECONDS, with the batch due after that
window, so it runs after every commit that skipped asking. A batch takes the three steps for
many emails at once: one statement leases up to CONFIRMATION_BATCH_SIZE of them (skipping rows
another worker is leasing this instant), one read fetches what they need, one mail connection
carries them, and every RECORD_EVERY sent are recorded in one transaction (an UPDATE and one
INSERT of timeline entries). Per email that leaves the rendering and the send: a handful of
statements per batch instead of five and two commits per email.
"""

import threading
import time
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from orders import events
from orders.emails import send_order_confirmation
from orders.models import Order

# Longer than a mail server takes to answer (Django's SMTP backend waits as long as the socket
# allows), short enough that a dead worker's email goes out within minutes.
CONFIRMATION_LEASE = timedelta(minutes=2)
# The task sent at capture normally delivers within seconds; the sweeper waits this long first.
CONFIRMATION_GRACE = timedelta(minutes=10)
SWEEP_BATCH_SIZE = 500
CONFIRMATION_BATCH_SECONDS = 0.5
CONFIRMATION_BATCH_SIZE = 200
# A batch records what it sent every this many emails: a worker killed late in a big batch
# sends at most this many again, and recording costs four statements per chunk, not per email.
RECORD_EVERY = 50
# A batch starts no send later than this after taking its lease, so the email in flight still
# has a minute of the lease for the server to answer (the rest are given back and go in the
# next batch): another worker never finds a lease run out on an email this one is still sending.
BATCH_SENDING_TIME = timedelta(minutes=1)

# When the batch this process asked for is due: until then, a new commit needs no batch of its
# own (the one asked for runs after it).
_batch_due = 0.0
_batch_lock = threading.Lock()


def _not_leased(now: datetime) -> Q:
    return Q(confirmation_leased_until__isnull=True) | Q(confirmation_leased_until__lte=now)


def order_confirmation_send(*, order_id: int, ignore_lease: bool = False) -> bool:
    """Send an owed confirmation; True when this call sent it.

    Skips an order whose email is not owed, or is being sent by another worker whose lease is
    still running (unless `ignore_lease`: in-process there is no other worker). If the mail
    server refuses, the lease is given back and the email stays owed for the retry.
    """
    now = timezone.now()
    owed = Order.objects.filter(pk=order_id, confirmation_due=True)
    if not ignore_lease:
        owed = owed.filter(_not_leased(now))
    if not owed.update(confirmation_leased_until=now + CONFIRMATION_LEASE):
        return False
    return _send_leased(order_ids=[order_id]) == 1


def _lease_owed(*, now: datetime, limit: int) -> list[int]:
    """Lease up to `limit` owed emails nobody holds, oldest first, in one statement committed at
    once; returns their ids. SKIP LOCKED: a row another batch is leasing this instant is its."""
    table = Order._meta.db_table
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""  # SQLite: one writer at a time
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET confirmation_leased_until = %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE confirmation_due AND "
            "(confirmation_leased_until IS NULL OR confirmation_leased_until <= %s) "
            f"ORDER BY placed_at, id LIMIT %s{lock}) RETURNING id",
            [adapt(now + CONFIRMATION_LEASE), adapt(now), limit],
        )
        return [order_id for (order_id,) in cursor.fetchall()]


def _send_leased(*, order_ids: list[int]) -> int:
    """Send the emails this worker leased over one mail connection, oldest first; returns how
    many the server took.

    Each chunk of RECORD_EVERY sent is recorded at once. However the loop ends — done, out of
    time (BATCH_SENDING_TIME), or the server refusing — what was sent is recorded and the lease
    of the rest is given back, so they stay owed for the next batch or the task's retry.
    """
    deadline = time.monotonic() + BATCH_SENDING_TIME.total_seconds()
    orders = list(
        Order.objects.filter(pk__in=order_ids)
        .select_related("customer", "shipping_address")
        .prefetch_related("lines")
        .order_by("placed_at", "id")
    )
    unsent = set(order_ids)
    to_record: list[Order] = []  # sent, not yet recorded
    try:
        with get_connection() as mail:
            for order in orders:
                send_order_confirmation(order=order, connection=mail)
                to_record.append(order)
                if len(to_record) == RECORD_EVERY:
                    unsent -= _record_sent(to_record)
                    to_record = []
                if time.monotonic() > deadline:
                    break
    finally:
        unsent -= _record_sent(to_record)
        if unsent:
            Order.objects.filter(pk__in=unsent).update(confirmation_leased_until=None)
    return len(order_ids) - len(unsent)


def _record_sent(orders: list[Order]) -> set[int]:
    """The emails of `orders` are no longer owed, and each timeline says so; returns their ids."""
    order_ids = {order.pk for order in orders}
    if not order_ids:
        return order_ids
    with transaction.atomic(), events.batched():
        Order.objects.filter(pk__in=order_ids).update(
            confirmation_due=False, confirmation_leased_until=None
        )
        for order in orders:
            events.email_sent(order, kind="order confirmation", to=order.email)
    return order_ids


def order_confirmation_sweep(*, now: datetime | None = None) -> int:
    """Nudge confirmations owed for a while whose worker's lease (if any) has run out (a lost
    message, a killed worker); returns how many were nudged."""
    from orders.tasks import send_order_confirmation as send_task  # tasks import the services

    now = now or timezone.now()
    owed = list(
        Order.objects.filter(confirmation_due=True, placed_at__lt=now - CONFIRMATION_GRACE)
        .filter(_not_leased(now))
        .order_by("placed_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for order_id in owed:
        send_task.delay(order_id)
    return len(owed)


def order_confirmations_nudge() -> None:
    """After a commit that owes a confirmation: make sure a batch runs after it."""
    global _batch_due
    from oms.background import runner
    from orders.tasks import send_owed_confirmations  # tasks import the services

    if send_owed_confirmations.app.conf.task_always_eager and not runner.running:
        send_owed_confirmations.delay()  # runs here and now: nothing to wait for
        return
    with _batch_lock:
        now = time.monotonic()
        if _batch_due > now:
            return
        _batch_due = now + CONFIRMATION_BATCH_SECONDS
    send_owed_confirmations.apply_async(countdown=CONFIRMATION_BATCH_SECONDS)


def order_confirmations_send_owed(*, limit: int = CONFIRMATION_BATCH_SIZE) -> int:
    """Send the confirmations owed and not leased by another worker, oldest first; returns how
    many this call sent. A mail server that refuses stops the batch: the rest stay owed for the
    task's retry (or the sweeper). A full batch, or one that ran out of time, asks for the next.
    """
    from orders.tasks import send_owed_confirmations

    leased = _lease_owed(now=timezone.now(), limit=limit)
    sent = _send_leased(order_ids=leased)
    if len(leased) == limit or sent < len(leased):
        send_owed_confirmations.delay()
    return sent
