"""Outbound webhook reads for the back office: fixed query counts, whatever the row count."""

from django.db.models import Count, Prefetch, Q, QuerySet

from oms.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    """Endpoints with how many of their deliveries are waiting and how many gave up."""
    return WebhookEndpoint.objects.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
    ).order_by("url", "id")


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first, each with its event and every attempt."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-id")
            )
        )
        .order_by("-created_at", "-id")
    )


def webhook_delivery_detail(*, delivery_id: int) -> WebhookDelivery:
    """One delivery with its event and attempts, for re-rendering its row."""
    return (
        WebhookDelivery.objects.select_related("event", "endpoint")
        .prefetch_related(
            Prefetch(
                "attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-id")
            )
        )
        .get(pk=delivery_id)
    )
