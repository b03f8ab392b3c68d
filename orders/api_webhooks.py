"""Marketplace order webhooks under /api/v1/channels/{code}/…/orders/.

The signature is the authentication: no API key, no session (so no CSRF check either). The
signature covers the raw bytes, so they are read before anything parses the body; a body that
fails verification is neither parsed nor stored. Every verified delivery is answered 2xx unless
something broke on our side: a payload we cannot map is kept as a failed receipt, and retrying
it would not help.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import error_body
from orders.channels import shopify, woocommerce
from orders.channels.inbox import Delivery, InboxResult, channel_webhook_receive
from orders.models import SalesChannel

ReceiptOut = inline_serializer(
    "ChannelWebhookReceiptOut",
    {
        "outcome": serializers.CharField(help_text="captured, duplicate, failed or ping"),
        "order": serializers.CharField(allow_null=True, help_text="The order number, if any."),
        "status": serializers.CharField(allow_null=True),
        "receipt": serializers.IntegerField(allow_null=True),
        "redelivered": serializers.BooleanField(),
        "error": serializers.CharField(),
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
    }


class ChannelOrderWebhookView(APIView):
    """Verify, keep and capture one marketplace order delivery."""

    authentication_classes = []
    permission_classes = [AllowAny]
    source_module = shopify

    def post(self, request, code: str):
        # The raw bytes, exactly as signed; DRF has not read the stream yet.
        body = request._request.body
        channel = SalesChannel.objects.filter(code=code, is_active=True).first()
        if channel is None:
            raise exceptions.NotFound(f"No active channel {code!r}.")
        module = self.source_module
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
                webhook_id=request.headers.get(module.WEBHOOK_ID_HEADER, "").strip()[:200],
                topic=request.headers.get(module.TOPIC_HEADER, "").strip()[:100],
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
        responses={201: ReceiptOut, 200: ReceiptOut},
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
        responses={201: ReceiptOut, 200: ReceiptOut},
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
                }
            )
        return None
