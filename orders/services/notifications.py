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
window, so it runs after every commit that skipped asking. The batch sends every owed email,
each with its own lease as above: a worker pays its per-task cost once per batch, not once per
order (about 5 ms of CPU each in a prefork worker, twice the email itself).
"""

import threading
import time
from datetime import datetime, timedelta

from django.db import transaction
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
    order = Order.objects.select_related("customer", "shipping_address").get(pk=order_id)
    try:
        send_order_confirmation(order=order)
    except Exception:
        Order.objects.filter(pk=order_id).update(confirmation_leased_until=None)
        raise
    with transaction.atomic():
        Order.objects.filter(pk=order_id).update(
            confirmation_due=False, confirmation_leased_until=None
        )
        events.email_sent(order, kind="order confirmation", to=order.email)
    return True


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
    task's retry (or the sweeper). A full batch asks for the next one."""
    from orders.tasks import send_owed_confirmations

    now = timezone.now()
    owed = list(
        Order.objects.filter(confirmation_due=True)
        .filter(_not_leased(now))
        .order_by("placed_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(order_confirmation_send(order_id=order_id) for order_id in owed)
    if len(owed) == limit:
        send_owed_confirmations.delay()
    return sent
