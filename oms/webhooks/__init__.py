"""Outbound webhooks: every app publishes events through here; receivers verify the signature.

Publish inside the transaction of the change (`webhook_publish`); the rest happens after commit
in tasks (`oms.tasks`): dispatch into deliveries, signed POSTs retried with backoff for 24 hours,
every attempt recorded. See `services` for the flow and `signing` for the header format.
"""

from oms.models import WEBHOOK_EVENTS
from oms.webhooks.services import (
    webhook_delivery_attempt,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_event_dispatch,
    webhook_event_has_subscribers,
    webhook_publish,
    webhook_subscriptions,
    webhook_subscriptions_later,
    webhook_sweep,
)
from oms.webhooks.signing import SIGNATURE_HEADER, sign_payload, verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "WEBHOOK_EVENTS",
    "sign_payload",
    "verify_signature",
    "webhook_delivery_attempt",
    "webhook_delivery_retry",
    "webhook_endpoint_create",
    "webhook_endpoint_update",
    "webhook_event_dispatch",
    "webhook_event_has_subscribers",
    "webhook_publish",
    "webhook_subscriptions",
    "webhook_subscriptions_later",
    "webhook_sweep",
]
