"""The inbox: keep every verified order webhook, then capture the order it carries.

The receipt is stored first, in its own transaction, so a delivery we cannot turn into an order
is still there with the reason. A redelivery (same webhook id) of a delivery that already
captured or matched an order changes nothing; one that failed or never finished is processed
again. The same order under a new webhook id is recognised by capture (channel + external id).
"""

import json
from dataclasses import dataclass
from types import ModuleType

from django.db import IntegrityError, transaction

from oms.errors import DomainError
from orders.channels import shopify, woocommerce
from orders.channels.common import describe
from orders.errors import DuplicateOrder, OrderInvalid
from orders.models import ChannelWebhookReceipt, Order, SalesChannel
from orders.services import order_capture

Receipt = ChannelWebhookReceipt
SOURCES: dict[str, ModuleType] = {shopify.SOURCE: shopify, woocommerce.SOURCE: woocommerce}
SETTLED = (Receipt.Outcome.CAPTURED, Receipt.Outcome.DUPLICATE)
MAX_RAW_BODY = 100_000


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
    captured: bool = False  # this delivery created the order
    redelivered: bool = False  # the webhook id was seen before


def _scrub(value):
    """Drop NUL characters, which PostgreSQL's jsonb refuses, so the delivery can be kept."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(body: bytes) -> tuple[dict, str]:
    """(payload to keep, problem). A body that is not a JSON object is kept as text."""
    raw = {"raw_body": _scrub(body.decode("utf-8", "replace"))[:MAX_RAW_BODY]}
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        return raw, "The body is not JSON."
    if not isinstance(payload, dict):
        return raw, "The body is not a JSON object."
    return _scrub(payload), ""


def _store(channel: SalesChannel, delivery: Delivery, payload: dict) -> tuple[Receipt, bool]:
    """(receipt, stored now). A known webhook id returns the receipt kept the first time."""
    same_delivery = Receipt.objects.filter(
        channel=channel, source=delivery.source, webhook_id=delivery.webhook_id
    )
    if delivery.webhook_id:
        existing = same_delivery.first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                channel=channel,
                source=delivery.source,
                webhook_id=delivery.webhook_id,
                topic=delivery.topic,
                external_id=SOURCES[delivery.source].external_id(payload),
                payload=payload,
            )
    except IntegrityError:
        # The marketplace redelivered while the first delivery was being stored.
        existing = same_delivery.first() if delivery.webhook_id else None
        if existing is None:
            raise
        return existing, False
    return receipt, True


def _record(receipt: Receipt, outcome: str, *, order: Order | None = None, error: str = ""):
    receipt.outcome, receipt.order, receipt.error = outcome, order, error
    receipt.save(update_fields=["outcome", "order", "error"])


def _capture(channel: SalesChannel, receipt: Receipt) -> bool:
    """Capture the receipt's order and record the outcome; True when an order was created."""
    source = SOURCES[receipt.source]
    try:
        request = source.capture_request(receipt.payload)
        with transaction.atomic():
            order = order_capture(
                channel=channel,
                request=request,
                source=receipt.source,
                actor_label=f"channel:{channel.code} ({receipt.source} webhook)",
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
        # Kept as failed with the reason; the caller answers 500, so the marketplace retries
        # and the redelivery processes the receipt again.
        _record(receipt, Receipt.Outcome.FAILED, error=f"Unexpected error: {error!r}"[:2000])
        raise
    return False


def channel_webhook_receive(*, channel: SalesChannel, delivery: Delivery) -> InboxResult:
    """Keep a verified delivery, then capture its order; says what became of it."""
    payload, problem = _parse(delivery.body)
    receipt, stored_now = _store(channel, delivery, payload)
    if not stored_now and receipt.outcome in SETTLED:
        return InboxResult(receipt=receipt, redelivered=True)
    if problem:
        _record(receipt, Receipt.Outcome.FAILED, error=problem)
        return InboxResult(receipt=receipt, redelivered=not stored_now)
    captured = _capture(channel, receipt)
    return InboxResult(receipt=receipt, captured=captured, redelivered=not stored_now)
