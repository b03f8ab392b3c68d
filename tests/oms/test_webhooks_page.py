import re

import pytest
from django.urls import reverse

from oms.models import WebhookDelivery, WebhookEndpoint
from tests.oms.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    return WebhookEndpointFactory(url="https://shop.example.com/oms", description="Shop stock")


def detail_url(endpoint) -> str:
    return reverse("webhook_detail", args=[endpoint.pk])


@pytest.mark.parametrize("fixture", ["manager_user", "admin_user"])
def test_managers_and_admins_see_the_pages(client, request, fixture, endpoint):
    client.force_login(request.getfixturevalue(fixture))
    listing = client.get(reverse("webhooks"))
    assert listing.status_code == 200
    assert "https://shop.example.com/oms" in listing.content.decode()
    assert "Webhooks" in [entry["item"].label for entry in listing.context["nav_items"]]
    detail = client.get(detail_url(endpoint))
    assert detail.status_code == 200
    assert endpoint.secret in detail.content.decode()


@pytest.mark.parametrize("fixture", ["fulfillment_user", "support_user"])
def test_other_roles_are_forbidden(client, request, fixture, endpoint):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("webhooks")).status_code == 403
    assert client.get(detail_url(endpoint)).status_code == 403
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed")
    response = client.post(reverse("webhook_delivery_retry", args=[delivery.pk]))
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "failed"


@pytest.mark.parametrize("name", ["webhooks", "webhook_detail"])
def test_anonymous_is_sent_to_login(client, endpoint, name):
    url = reverse(name, args=[endpoint.pk] if name == "webhook_detail" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_manager_adds_an_endpoint_with_a_generated_secret(client, manager_user):
    client.force_login(manager_user)
    response = client.post(
        reverse("webhooks"),
        {
            "url": "https://erp.example.com/hooks",
            "description": "ERP",
            "events": ["stock.available_changed", "order.created"],
            "is_active": "on",
        },
        follow=True,
    )
    created = WebhookEndpoint.objects.get()
    assert response.redirect_chain == [(detail_url(created), 302)]
    assert created.url == "https://erp.example.com/hooks"
    assert created.events == ["order.created", "stock.available_changed"]
    assert created.is_active
    assert re.fullmatch(r"[0-9a-f]{64}", created.secret)
    assert created.secret in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "not a url", "events": ["order.created"]}, "url", "Enter a valid URL."),
        ({"url": "ftp://files.example.com/", "events": ["order.created"]}, "url", "valid URL"),
        (
            {"url": "https://erp.example.com/", "events": ["order.exploded"]},
            "events",
            "Select a valid choice. order.exploded is not one of the available choices.",
        ),
        ({"url": "https://erp.example.com/", "events": []}, "events", "This field is required."),
    ],
)
def test_invalid_endpoint_shows_the_error_beside_the_field_and_creates_nothing(
    client, manager_user, data, field, message
):
    client.force_login(manager_user)
    response = client.post(reverse("webhooks"), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert message.split(".")[0] in html
    assert WebhookEndpoint.objects.count() == 0


def test_manager_edits_events_and_deactivates(client, manager_user, endpoint):
    client.force_login(manager_user)
    response = client.post(
        detail_url(endpoint),
        {"url": endpoint.url, "description": "Shop", "events": ["shipment.shipped"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["shipment.shipped"]
    assert endpoint.description == "Shop"
    assert endpoint.is_active is False


def test_invalid_edit_changes_nothing(client, manager_user, endpoint):
    client.force_login(manager_user)
    before = (endpoint.url, endpoint.events, endpoint.is_active)
    response = client.post(detail_url(endpoint), {"url": "nope", "events": ["order.created"]})
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == before


def test_detail_lists_each_attempt_with_time_code_error_and_duration(
    client, manager_user, endpoint
):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, attempts=2, status="pending")
    WebhookAttemptFactory(delivery=delivery, status_code=None, error="Could not connect: refused")
    WebhookAttemptFactory(delivery=delivery, status_code=502, duration_ms=843, error="HTTP 502")
    client.force_login(manager_user)
    html = client.get(detail_url(endpoint)).content.decode()
    assert f'id="delivery-{delivery.pk}"' in html
    assert "Could not connect: refused" in html
    assert "no response" in html
    assert ">502</span>" in html
    assert "843 ms" in html
    assert delivery.event.event in html


def test_detail_query_count_does_not_grow_with_deliveries(
    client, manager_user, endpoint, django_assert_max_num_queries
):
    client.force_login(manager_user)
    WebhookAttemptFactory(delivery=WebhookDeliveryFactory(endpoint=endpoint))
    with django_assert_max_num_queries(8) as few:
        assert client.get(detail_url(endpoint)).status_code == 200
    for delivery in WebhookDeliveryFactory.create_batch(30, endpoint=endpoint):
        WebhookAttemptFactory.create_batch(3, delivery=delivery)
    with django_assert_max_num_queries(8) as many:
        response = client.get(detail_url(endpoint))
    assert response.status_code == 200
    assert response.content.decode().count('<tbody id="delivery-') == 31
    assert len(many) == len(few)


def test_list_query_count_does_not_grow_with_endpoints(
    client, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    WebhookDeliveryFactory(status="failed")
    with django_assert_max_num_queries(5) as few:
        client.get(reverse("webhooks"))
    for endpoint in WebhookEndpointFactory.create_batch(20):
        WebhookDeliveryFactory.create_batch(2, endpoint=endpoint, status="failed")
    with django_assert_max_num_queries(5) as many:
        response = client.get(reverse("webhooks"))
    assert len(many) == len(few)
    html = response.content.decode()
    assert html.count('<span class="badge badge-danger">2</span>') == 20


def test_deliveries_are_paginated_fifty_a_page(client, manager_user, endpoint):
    deliveries = WebhookDeliveryFactory.create_batch(51, endpoint=endpoint)
    client.force_login(manager_user)
    first_page = client.get(detail_url(endpoint)).content.decode()
    assert first_page.count('<tbody id="delivery-') == 50
    assert "Page 1 of 2" in first_page
    second_page = client.get(detail_url(endpoint), {"page": 2}, HTTP_HX_REQUEST="true")
    html = second_page.content.decode()
    assert html.lstrip().startswith('<div id="delivery-table">')
    assert "<h1>" not in html
    # Newest first: the second page holds the oldest delivery.
    assert html.count('<tbody id="delivery-') == 1
    assert f'id="delivery-{deliveries[0].pk}"' in html


def test_htmx_retry_requeues_a_failed_delivery_and_swaps_its_row(
    client, manager_user, endpoint, django_capture_on_commit_callbacks
):
    endpoint.url = "http://127.0.0.1:9/unreachable"
    endpoint.save()
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed", next_attempt_at=None)
    client.force_login(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("webhook_delivery_retry", args=[delivery.pk]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tbody id="delivery-{delivery.pk}">')
    assert f"Delivery #{delivery.pk} queued again." in html
    assert 'hx-swap-oob="true"' in html
    # The queued attempt ran (in-process) against a closed port: recorded, retried later.
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.attempt_log.get().error.startswith("Could not connect")


def test_retrying_a_delivery_that_has_not_failed_changes_nothing(client, manager_user, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="succeeded", next_attempt_at=None)
    client.force_login(manager_user)
    response = client.post(reverse("webhook_delivery_retry", args=[delivery.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(endpoint), 302)]
    assert "Only a failed delivery can be retried" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED


def test_retry_requires_post(client, manager_user, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed")
    client.force_login(manager_user)
    assert client.get(reverse("webhook_delivery_retry", args=[delivery.pk])).status_code == 405


@pytest.mark.parametrize(
    "model", ["webhookendpoint", "webhookevent", "webhookdelivery", "webhookattempt"]
)
def test_admin_shows_webhook_rows_read_only(client, admin_user, model):
    WebhookAttemptFactory()
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:oms_{model}_changelist"))
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:oms_{model}_add")).status_code == 403
