"""Webhook endpoints may not point into the OMS's own network (unless development allows it)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from oms.models import WebhookEndpoint
from oms.webhooks import webhook_endpoint_create
from oms.webhooks.sender import post_json

pytestmark = pytest.mark.django_db


@override_settings(WEBHOOK_ALLOW_PRIVATE_URLS=False)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
    ],
)
def test_internal_addresses_are_refused_when_the_endpoint_is_saved(url):
    with pytest.raises(ValidationError) as error:
        webhook_endpoint_create(url=url, events=["order.created"])
    assert "internal address" in str(error.value)
    assert WebhookEndpoint.objects.count() == 0


@override_settings(WEBHOOK_ALLOW_PRIVATE_URLS=False)
def test_a_delivery_to_an_internal_address_is_not_sent(webhook_receiver):
    result = post_json(url=webhook_receiver.url, body=b"{}", headers={}, snippet_length=100)
    assert result.status_code is None
    assert result.error.startswith("Not sent: 127.0.0.1 is an internal address")
    assert webhook_receiver.requests == []


def test_development_may_post_to_a_local_receiver(webhook_receiver):
    result = post_json(url=webhook_receiver.url, body=b"{}", headers={}, snippet_length=100)
    assert result.status_code == 200
    assert len(webhook_receiver.requests) == 1
