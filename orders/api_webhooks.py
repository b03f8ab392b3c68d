"""Marketplace order webhooks under /api/v1/channels/{code}/…/orders/.

The signature is the authentication: no API key, no session (so no CSRF check either). The
signature covers the raw bytes, so they are read before anything parses the body; a body that
fails verification is neither parsed nor stored. A channel's secret opens only the door of its
own platform (`SalesChannel.webhook_platform`). Bodies up to MAX_BODY_BYTES are taken (a
1,000-line order is several megabytes; everywhere else Django's 2.5 MB limit stands).

Every verified delivery is stored, then answered 2xx whatever became of it: a payload we cannot
parse or map, or an error on our side, is kept as a failed receipt with the reason for the
back office's inbox (and its Replay), and a marketplace retrying it would only loop.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import error_body
from oms.api_schema import error_responses
from oms.request_body import read_body
from orders.channels import shopify, woocommerce
from orders.channels.inbox import Delivery, InboxResult, channel_webhook_receive
from orders.models import SalesChannel

MAX_BODY_BYTES = 20 * 1024 * 1024

WEBHOOK_ERRORS = error_responses(
    401,
    403,
    404,
    413,
    codes={
        401: "authentication_failed: the signature is missing or does not match the body",
        403: "wrong_platform: the channel's webhook secret is for another platform (or none)",
        404: "not_found: no active channel with this code",
        413: "payload_too_large: the body is over 20 MB",
    },
)

ReceiptOut = inline_serializer(
    "ChannelWebhookReceiptOut",
    {
        "outcome": serializers.CharField(help_text="captured, duplicate, failed or ping"),
        "order": serializers.CharField(allow_null=True, help_text="The order number, if any."),
        "status": serializers.CharField(allow_null=True),
        "receipt": serializers.IntegerField(allow_null=True),
        "redelivered": serializers.BooleanField(),
        "error": serializers.CharField(),
        "conflicts_with": serializers.IntegerField(
            allow_null=True,
            help_text="The receipt that came first under the same webhook id with another body.",
        ),
    },
)


def _body(result: InboxResult) -> dict:
    receipt = result.receipt
    return {
        "outcome": receipt.outcome,
        "order": receipt.order.number if receipt.order else None,
        "status": receipt.order.status if receipt.order else None,
        "receipt": receipt.pk,
        "redelivered": result.redelivered,
        "error": receipt.error,
        "conflicts_with": receipt.conflicts_with_id,
    }


def _header(request, name: str, limit: int) -> str:
    """A delivery header as the receipt keeps it (text columns refuse NUL)."""
    return request.headers.get(name, "").replace("\x00", "").strip()[:limit]


class ChannelOrderWebhookView(APIView):
    """Verify, keep and capture one marketplace order delivery."""

    authentication_classes = []
    permission_classes = [AllowAny]
    source_module = shopify

    def post(self, request, code: str):
        channel = SalesChannel.objects.filter(code=code, is_active=True).first()
        if channel is None:
            raise exceptions.NotFound(f"No active channel {code!r}.")
        module = self.source_module
        if channel.webhook_platform != module.SOURCE:
            return Response(
                error_body(
                    "wrong_platform",
                    f"Channel {code!r} is not set up to take {module.LABEL} webhooks.",
                ),
                status=status.HTTP_403_FORBIDDEN,
            )
        # The raw bytes, exactly as signed; DRF has not read the stream yet.
        body = read_body(request._request, limit=MAX_BODY_BYTES)
        early = self.before_verification(body)
        if early is not None:
            return early
        if not module.signature_valid(
            secret=channel.webhook_secret, body=body, headers=request.headers
        ):
            return Response(
                error_body(
                    "authentication_failed",
                    f"The {module.SIGNATURE_HEADER} header is missing or does not match the "
                    "body signed with this channel's webhook secret.",
                ),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        result = channel_webhook_receive(
            channel=channel,
            delivery=Delivery(
                source=module.SOURCE,
                body=body,
                webhook_id=_header(request, module.WEBHOOK_ID_HEADER, 200),
                topic=_header(request, module.TOPIC_HEADER, 100),
            ),
        )
        answer = status.HTTP_201_CREATED if result.captured else status.HTTP_200_OK
        return Response(_body(result), status=answer)

    def before_verification(self, body: bytes) -> Response | None:
        return None


class ShopifyOrderWebhookView(ChannelOrderWebhookView):
    source_module = shopify

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: ReceiptOut, 200: ReceiptOut, **WEBHOOK_ERRORS},
        summary="Shopify orders/create webhook",
        description="Signed with `X-Shopify-Hmac-Sha256`; deduplicated on "
        "`X-Shopify-Webhook-Id` and on the Shopify order id.",
    )
    def post(self, request, code: str):
        return super().post(request, code)


class WooCommerceOrderWebhookView(ChannelOrderWebhookView):
    source_module = woocommerce

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: ReceiptOut, 200: ReceiptOut, **WEBHOOK_ERRORS},
        summary="WooCommerce order webhook",
        description="Signed with `X-WC-Webhook-Signature`; deduplicated on "
        "`X-WC-Webhook-Delivery-ID` and on the WooCommerce order id. The creation ping "
        "(`webhook_id=<n>`) is answered 200 and not stored.",
    )
    def post(self, request, code: str):
        return super().post(request, code)

    def before_verification(self, body: bytes) -> Response | None:
        if woocommerce.is_ping(body):
            return Response(
                {
                    "outcome": "ping",
                    "order": None,
                    "status": None,
                    "receipt": None,
                    "redelivered": False,
                    "error": "",
                    "conflicts_with": None,
                }
            )
        return None
