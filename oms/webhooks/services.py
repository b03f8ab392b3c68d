"""Outbound webhook writes: publish (outbox), dispatch (fan-out), attempt (HTTP), sweep.

The outbox row is written in the transaction of the change that owes the event; after commit a
task dispatches it into one delivery per subscribed endpoint, and each delivery is POSTed by its
own task outside any transaction. Messages are only nudges: `webhook_sweep` finds whatever is
owed and was not picked up, so a lost message or a killed worker delays work, never loses it.
"""

import random
from datetime import datetime, timedelta
from functools import lru_cache, partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from oms.errors import InvalidTransition
from oms.models import (
    WEBHOOK_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from oms.rows import Pending, columns, send_models
from oms.webhooks.sender import PostResult, post_json, webhook_body, webhook_headers

RETRY_WINDOW = timedelta(hours=24)
BACKOFF_BASE_SECONDS = 30
# While one worker is POSTing, the delivery is not due for others; if that worker dies, the
# sweeper picks the delivery up once this lease (plus its grace minute) has passed.
ATTEMPT_LEASE = timedelta(seconds=30)
SWEEP_OVERDUE_GRACE = timedelta(minutes=1)
SWEEP_BATCH_SIZE = 500
# Two publishers racing to create the pending row for one key: the loser updates the winner's.
COALESCE_RACE_RETRIES = 3


def _enqueue_dispatch(event_id: int, countdown: float | None = None) -> None:
    from oms.tasks import dispatch_webhook_event

    dispatch_webhook_event.apply_async((event_id,), countdown=countdown)


def _enqueue_delivery(delivery_id: int) -> None:
    from oms.tasks import deliver_webhook

    deliver_webhook.apply_async((delivery_id,))


def webhook_subscriptions() -> frozenset[str]:
    """Every event some active endpoint subscribes to (one small query, asked by every order
    capture, so not compiled each time). A service that publishes several events reads this
    once and passes it as `subscribed`."""
    return webhook_subscriptions_later().result()


def webhook_subscriptions_later() -> Pending:
    """`webhook_subscriptions`, sent now and read when its `result()` is asked for."""
    endpoints = send_models(_active_endpoints_sql(), [], WebhookEndpoint)
    return endpoints.then(_subscribed_events)


def _subscribed_events(endpoints) -> frozenset[str]:
    return frozenset(event for (endpoint,) in endpoints for event in endpoint.events)


@lru_cache(maxsize=1)
def _active_endpoints_sql() -> str:
    table = WebhookEndpoint._meta.db_table
    return f"SELECT {columns(WebhookEndpoint, table)} FROM {table} WHERE {table}.is_active"


def webhook_event_has_subscribers(*, event: str, subscribed: frozenset[str] | None = None) -> bool:
    """True when an active endpoint subscribes to `event`; `subscribed` saves the query."""
    return event in (webhook_subscriptions() if subscribed is None else subscribed)


def webhook_publish(
    *,
    event: str,
    payload: dict,
    coalesce_key: str | None = None,
    subscribed: frozenset[str] | None = None,
) -> WebhookEvent | None:
    """Owe `event` to its subscribers, in the caller's transaction; None when nobody listens.

    `subscribed` is `webhook_subscriptions()` as the caller read it in this transaction."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}; known: {', '.join(WEBHOOK_EVENTS)}.")
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "webhook_publish must run inside the transaction that makes the change it reports."
        )
    if not webhook_event_has_subscribers(event=event, subscribed=subscribed):
        return None
    if coalesce_key is None:
        outbox = WebhookEvent.objects.create(event=event, payload=payload)
        transaction.on_commit(partial(_enqueue_dispatch, outbox.pk), robust=True)
        return outbox
    return _publish_coalesced(event=event, payload=payload, coalesce_key=coalesce_key)


def _publish_coalesced(*, event: str, payload: dict, coalesce_key: str) -> WebhookEvent:
    for _ in range(COALESCE_RACE_RETRIES):
        pending = (
            WebhookEvent.objects.select_for_update()
            .filter(coalesce_key=coalesce_key, status=WebhookEvent.Status.PENDING)
            .first()
        )
        if pending is not None:
            if pending.event != event:
                raise ValueError(
                    f"Coalesce key {coalesce_key!r} belongs to {pending.event!r}, not {event!r}."
                )
            # The latest figure wins: a receiver only needs the state after the burst.
            pending.payload = payload
            pending.save(update_fields=["payload", "updated_at"])
            return pending
        try:
            with transaction.atomic():
                outbox = WebhookEvent.objects.create(
                    event=event, payload=payload, coalesce_key=coalesce_key
                )
        except IntegrityError:
            # Another transaction created the pending row first; update that one instead.
            continue
        transaction.on_commit(
            partial(_enqueue_dispatch, outbox.pk, countdown=settings.WEBHOOK_COALESCE_SECONDS),
            robust=True,
        )
        return outbox
    raise IntegrityError(
        f"Could not publish {event!r} for {coalesce_key!r}: the key kept changing."
    )


def webhook_event_dispatch(*, event_id: int) -> list[WebhookDelivery]:
    """Fan a pending event out into one delivery per subscribed endpoint; no-op if dispatched."""
    with transaction.atomic():
        outbox = WebhookEvent.objects.select_for_update().filter(pk=event_id).first()
        if outbox is None or outbox.status != WebhookEvent.Status.PENDING:
            return []
        now = timezone.now()
        outbox.status = WebhookEvent.Status.DISPATCHED
        outbox.dispatched_at = now
        outbox.save(update_fields=["status", "dispatched_at", "updated_at"])
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.active().order_by("id")
            if endpoint.subscribes_to(outbox.event)
        ]
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=outbox, endpoint=endpoint, next_attempt_at=now)
            for endpoint in endpoints
        )
        for delivery in deliveries:
            transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
    return deliveries


def _backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s … capped, with jitter so failing receivers are not hit in lockstep."""
    ceiling = min(settings.CELERY_MAX_COUNTDOWN_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _locked_delivery(delivery_id: int) -> WebhookDelivery:
    return (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("event", "endpoint")
        .get(pk=delivery_id)
    )


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery:
    """POST a due pending delivery once and record the attempt.

    Skips a delivery that is finished or not yet due. The returned delivery's `attempted` says
    whether this call made a request. HTTP and network errors are recorded, never raised.
    """
    # Durable: the request must not run inside anyone's transaction, holding their locks.
    with transaction.atomic(durable=True):
        delivery = _locked_delivery(delivery_id)
        delivery.attempted = False
        now = timezone.now()
        not_due = delivery.next_attempt_at is not None and delivery.next_attempt_at > now
        if delivery.status != WebhookDelivery.Status.PENDING or not_due:
            return delivery
        if not delivery.endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = "The endpoint is inactive."
            delivery.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
            return delivery
        delivery.next_attempt_at = now + ATTEMPT_LEASE
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.save(update_fields=["next_attempt_at", "first_attempt_at", "updated_at"])
    body = webhook_body(
        event_id=delivery.event.pk,
        event=delivery.event.event,
        created_at=delivery.event.created_at,
        data=delivery.event.payload,
    )
    headers = webhook_headers(
        secret=delivery.endpoint.secret,
        body=body,
        event=delivery.event.event,
        delivery_id=delivery.pk,
    )
    result = post_json(
        url=delivery.endpoint.url,
        body=body,
        headers=headers,
        snippet_length=WebhookAttempt.RESPONSE_SNIPPET_LENGTH,
    )
    with transaction.atomic(durable=True):
        delivery = _locked_delivery(delivery_id)
        return _record_attempt(delivery=delivery, attempted_at=now, result=result)


def _record_attempt(
    *, delivery: WebhookDelivery, attempted_at: datetime, result: PostResult
) -> WebhookDelivery:
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=attempted_at,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
        response_snippet=result.response_snippet,
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.attempted = True
    if delivery.status != WebhookDelivery.Status.PENDING:
        # Another worker finished it while this request was out (after our lease ran out).
        delivery.save(update_fields=["attempts", "updated_at"])
        return delivery
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    window_started = delivery.first_attempt_at or attempted_at
    if result.succeeded:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif now - window_started >= RETRY_WINDOW:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
    delivery.save()
    return delivery


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a failed delivery again now, with a fresh retry window."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise InvalidTransition(
            f"Only a failed delivery can be retried; this one is {delivery.status}."
        )
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.first_attempt_at = None
    delivery.save(update_fields=["status", "next_attempt_at", "first_attempt_at", "updated_at"])
    transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
    return delivery


def webhook_sweep() -> dict[str, int]:
    """Dispatch events left pending and re-enqueue overdue deliveries; returns how many of each."""
    now = timezone.now()
    stale_before = now - 2 * timedelta(seconds=settings.WEBHOOK_COALESCE_SECONDS)
    event_ids = list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING, created_at__lt=stale_before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for event_id in event_ids:
        webhook_event_dispatch(event_id=event_id)
    delivery_ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lt=now - SWEEP_OVERDUE_GRACE,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for delivery_id in delivery_ids:
        _enqueue_delivery(delivery_id)
    return {"events_dispatched": len(event_ids), "deliveries_requeued": len(delivery_ids)}


@transaction.atomic
def webhook_endpoint_create(
    *,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
    secret: str | None = None,
) -> WebhookEndpoint:
    """Register a receiver; a signing secret is generated unless one is given."""
    endpoint = WebhookEndpoint(
        url=url, events=list(events), description=description, is_active=is_active
    )
    if secret:
        endpoint.secret = secret
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change a receiver's address, subscriptions or state; None leaves a field as it is."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changes = {"url": url, "events": events, "description": description, "is_active": is_active}
    for field, value in changes.items():
        if value is not None:
            setattr(endpoint, field, list(value) if field == "events" else value)
    endpoint.full_clean()
    endpoint.save()
    return endpoint
