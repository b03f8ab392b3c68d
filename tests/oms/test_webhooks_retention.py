from datetime import timedelta

import pytest
from django.utils import timezone

from oms.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from oms.tasks import purge_webhook_history
from tests.oms.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    WebhookEventFactory,
)

pytestmark = pytest.mark.django_db


def event_with_delivery(*, days_old: int, status: str) -> WebhookEvent:
    event = WebhookEventFactory(status=WebhookEvent.Status.DISPATCHED)
    WebhookEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    delivery = WebhookDeliveryFactory(event=event, endpoint=WebhookEndpointFactory(), status=status)
    WebhookAttemptFactory(delivery=delivery)
    return event


def test_finished_history_past_the_retention_is_purged_and_the_rest_kept():
    old_done = event_with_delivery(days_old=40, status=WebhookDelivery.Status.SUCCEEDED)
    old_failed = event_with_delivery(days_old=40, status=WebhookDelivery.Status.FAILED)
    old_pending = event_with_delivery(days_old=40, status=WebhookDelivery.Status.PENDING)
    recent = event_with_delivery(days_old=2, status=WebhookDelivery.Status.SUCCEEDED)

    assert purge_webhook_history() == 2

    remaining = set(WebhookEvent.objects.values_list("pk", flat=True))
    assert remaining == {old_pending.pk, recent.pk}
    assert not WebhookDelivery.objects.filter(event__in=[old_done.pk, old_failed.pk]).exists()
    assert WebhookAttempt.objects.count() == 2
