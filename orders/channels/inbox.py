"""The inbox: keep every verified order webhook, then capture the order it carries.

The receipt (with the body as bytes) is stored first, in its own transaction, before anything
can fail; whatever happens next is recorded on it, and the door answers 2xx, so a marketplace
never retries a delivery into a loop of errors. A delivery we cannot turn into an order stays
failed with the reason, in the back office's inbox, until someone replays it (after creating the
missing product, say): the replay runs the same path and records its outcome. What failed on
our side (an unexpected error, or processing that never finished) may pass by itself — a
database restart, a fix deployed — so the sweeper retries those for a day, as the marketplace
would have had we answered with an error.

A redelivery (same webhook id, same body) of a delivery that captured or matched an order changes
nothing; one that failed or never finished is processed again. The same webhook id with another
body is kept as a new receipt, flagged (`conflicts_with`) and not captured until replayed. The
same order under a new webhook id is recognised by capture (channel + external id).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from oms.errors import DomainError
from orders.channels import shopify, woocommerce
from orders.channels.common import Reading, describe
from orders.channels.fitting import fit_to_columns
from orders.channels.parsing import parse_body
from orders.errors import DuplicateOrder, OrderInvalid
from orders.models import ChannelWebhookReceipt, Order, SalesChannel
from orders.services import order_capture

logger = logging.getLogger(__name__)

Receipt = ChannelWebhookReceipt
SOURCES: dict[str, ModuleType] = {shopify.SOURCE: shopify, woocommerce.SOURCE: woocommerce}
SETTLED = (Receipt.Outcome.CAPTURED, Receipt.Outcome.DUPLICATE)
UNEXPECTED = "Unexpected error"
# The sweeper retries failures on our side every few minutes for a day, then leaves them to a
# person (they stay in the inbox either way).
RETRY_EVERY = timedelta(minutes=5)
RETRY_FOR = timedelta(days=1)
RETRIES_PER_SWEEP = 100


class NothingToReplay(DomainError):
    """This delivery already captured or matched an order."""

    code = "receipt_settled"
    status_code = 409


@dataclass(frozen=True)
class Delivery:
    """One verified HTTP delivery from a marketplace."""

    source: str
    body: bytes
    webhook_id: str = ""
    topic: str = ""


@dataclass(frozen=True)
class InboxResult:
    receipt: ChannelWebhookReceipt
    captured: bool = False  # this delivery (or replay) created the order
    redelivered: bool = False  # the webhook id and body were seen before


def _store(channel: SalesChannel, delivery: Delivery) -> tuple[Receipt, bool]:
    """(receipt, stored now). The same webhook id and body returns the receipt kept the first
    time; the same id with another body is stored, pointing at the first."""
    digest = hashlib.sha256(delivery.body).hexdigest()
    same_id = Receipt.objects.filter(
        channel=channel, source=delivery.source, webhook_id=delivery.webhook_id
    ).defer("raw_body", "payload")
    earlier = list(same_id.order_by("id")) if delivery.webhook_id else []
    for receipt in earlier:
        # Receipts kept before bodies were hashed match their webhook id alone, as they did.
        if receipt.body_sha256 in (digest, ""):
            return receipt, False
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                channel=channel,
                source=delivery.source,
                webhook_id=delivery.webhook_id,
                topic=delivery.topic,
                raw_body=delivery.body,
                body_sha256=digest,
                conflicts_with=earlier[0] if earlier else None,
            )
    except IntegrityError:
        # The marketplace redelivered while the first delivery was being stored.
        existing = same_id.filter(body_sha256=digest).first() if delivery.webhook_id else None
        if existing is None:
            raise
        return existing, False
    return receipt, True


def _record(receipt: Receipt, outcome: str, *, order: Order | None = None, error: str = ""):
    receipt.outcome, receipt.order, receipt.error = outcome, order, error
    receipt.save(update_fields=["outcome", "order", "error", "payload", "external_id"])


def _read(receipt: Receipt) -> tuple[dict, str]:
    """The receipt's payload, parsed from the bytes kept (receipts kept before the bytes were,
    without a digest, have only their payload)."""
    if not receipt.body_sha256:
        return receipt.payload, ""
    payload, problem = parse_body(bytes(receipt.raw_body))
    if payload:
        source = SOURCES[receipt.source]
        receipt.payload, receipt.external_id = payload, source.external_id(payload)
    return payload, problem


def _capture(channel: SalesChannel, receipt: Receipt, payload: dict, actor, label: str) -> bool:
    """Capture the payload's order and record the outcome; True when an order was created.

    Nothing escapes: an error on our side is recorded as the reason (and logged), so the door
    still answers 2xx and the receipt waits in the inbox for a replay.
    """
    source = SOURCES[receipt.source]
    try:
        with transaction.atomic():
            reading = Reading()
            request = fit_to_columns(
                source.capture_request(payload, reading),
                reading,
                owner=f"{channel.code}:{receipt.source}:{source.external_id(payload)}",
            )
            order = order_capture(
                channel=channel,
                request=request,
                source=receipt.source,
                actor=actor,
                actor_label=label,
            )
            _record(receipt, Receipt.Outcome.CAPTURED, order=order)
        return True
    except DuplicateOrder as error:
        order = Order.objects.filter(channel=channel, number=error.existing_number).first()
        _record(receipt, Receipt.Outcome.DUPLICATE, order=order)
    except OrderInvalid as error:
        _record(receipt, Receipt.Outcome.FAILED, error=describe(error))
    except DomainError as error:
        _record(receipt, Receipt.Outcome.FAILED, error=error.message)
    except Exception as error:
        logger.exception("Capturing %s receipt %s failed", receipt.source, receipt.pk)
        _record(receipt, Receipt.Outcome.FAILED, error=f"{UNEXPECTED}: {error!r}"[:2000])
    return False


def _process(
    receipt_id: int, *, actor=None, label: str, replay: bool = False, retry: bool = False
) -> InboxResult:
    """Read and capture one receipt with its row locked, so a redelivery and a replay (or two
    replays, or the sweeper's retry) take turns; a receipt settled meanwhile is left as it is
    (a person's replay is told so)."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("channel")
            .get(pk=receipt_id)
        )
        if receipt.outcome in SETTLED:
            if replay and not retry:
                verb = "captured" if receipt.outcome == Receipt.Outcome.CAPTURED else "matched"
                number = receipt.order.number if receipt.order else "an order"
                raise NothingToReplay(
                    f"This delivery already {verb} {number}: there is nothing to replay."
                )
            return InboxResult(receipt=receipt)
        if replay or retry:
            receipt.replayed_at, receipt.replayed_by = timezone.now(), actor
            receipt.save(update_fields=["replayed_at", "replayed_by"])
        payload, problem = _read(receipt)
        if problem:
            _record(receipt, Receipt.Outcome.FAILED, error=problem)
            return InboxResult(receipt=receipt)
        captured = _capture(receipt.channel, receipt, payload, actor, label)
        return InboxResult(receipt=receipt, captured=captured)


def channel_webhook_receive(*, channel: SalesChannel, delivery: Delivery) -> InboxResult:
    """Keep a verified delivery, then capture its order; says what became of it."""
    receipt, stored_now = _store(channel, delivery)
    if receipt.conflicts_with_id and stored_now:
        error = (
            f"Webhook id {delivery.webhook_id} came before with another body (receipt "
            f"{receipt.conflicts_with_id}); kept for review and not captured until replayed."
        )
        _read(receipt)  # the order id and payload, for the inbox to show
        _record(receipt, Receipt.Outcome.FAILED, error=error)
        return InboxResult(receipt=receipt)
    if not stored_now and (receipt.outcome in SETTLED or receipt.conflicts_with_id):
        return InboxResult(receipt=receipt, redelivered=True)
    result = _process(receipt.pk, label=f"channel:{channel.code} ({delivery.source} webhook)")
    return InboxResult(receipt=result.receipt, captured=result.captured, redelivered=not stored_now)


def channel_receipt_replay(*, receipt: Receipt, actor) -> InboxResult:
    """Run a failed or unfinished delivery through capture again, as `actor`; records when and
    by whom, and the outcome. Raises NothingToReplay when it has settled meanwhile."""
    name = actor.get_full_name() or actor.get_username()
    label = f"{name} (replayed {receipt.source} webhook)"
    return _process(receipt.pk, actor=actor, label=label, replay=True)


def channel_receipts_retry(*, now=None) -> list[int]:
    """Retry the deliveries that failed on our side (or never finished) in the last day, each
    at most every `RETRY_EVERY`, oldest first; returns the ids of those that captured now.

    Failures of the data (an unknown product is a hold, a malformed body a failed receipt with
    its reason) and flagged redeliveries are not retried: they wait for a person.
    """
    now = now or timezone.now()
    ours = Q(outcome=Receipt.Outcome.FAILED, error__startswith=UNEXPECTED) | Q(
        outcome="", received_at__lt=now - RETRY_EVERY
    )
    due = (
        Receipt.objects.filter(ours, received_at__gte=now - RETRY_FOR, conflicts_with=None)
        .filter(Q(replayed_at=None) | Q(replayed_at__lt=now - RETRY_EVERY))
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:RETRIES_PER_SWEEP]
    )
    captured = []
    for receipt_id in list(due):
        result = _process(receipt_id, label="system (channel delivery retried)", retry=True)
        if result.captured:
            captured.append(receipt_id)
    return captured
