"""The carriers' tracking webhook, `POST /api/v1/carriers/{code}/tracking/`.

No API key: the carrier signs the body with its webhook secret (`X-OMS-Signature`, as our own
outbound webhooks are signed), and the signature covers the raw bytes, so they are verified
before anything parses them; a carrier without a secret accepts nothing. A delivery that fails
verification is neither parsed nor kept. Every verified one is kept as a `CarrierEventReceipt`
before it is applied (`carrier_event_receive`) — an invalid one too, with the reason.

Bodies come from outside: anything that is not a JSON document we can store as parsed (not
UTF-8, malformed, nested absurdly deep, non-finite numbers, text that is not Unicode) is kept as
its text and answered 400, never 500.
"""

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import error_body
from oms.api_schema import error_responses
from oms.json_bodies import read_json
from oms.webhooks.signing import SIGNATURE_HEADER, verify_signature
from shipping.errors import ShippingError
from shipping.models import CarrierEventReceipt, TrackingEvent
from shipping.selectors_api import active_carrier
from shipping.services import carrier_event_receive

# A tracking event is a few hundred bytes: a body far larger is not one, and is not kept.
MAX_EVENT_BYTES = 64 * 1024
MAX_EVENT_DEPTH = 16
SIGNATURE_PARAMETER = OpenApiParameter(
    SIGNATURE_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description='`t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>`; '
    "at most 5 minutes old.",
)


class CarrierEventInSerializer(serializers.Serializer):
    """What a carrier sends (documentation: the view reads the raw, signed body itself)."""

    tracking_number = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=TrackingEvent.Kind.choices)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601, with its offset.")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


# What a kept, valid delivery came to (an invalid one is answered with an error).
RECEIPT_OUTCOMES = [
    (outcome.value, outcome.label)
    for outcome in (
        CarrierEventReceipt.Outcome.RECORDED,
        CarrierEventReceipt.Outcome.DUPLICATE,
        CarrierEventReceipt.Outcome.UNMATCHED,
    )
]


class CarrierEventReceiptOutSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=RECEIPT_OUTCOMES)
    receipt = serializers.IntegerField(help_text="The kept delivery.")
    tracking_number = serializers.CharField()
    shipment = serializers.CharField(allow_null=True, help_text="The shipment's number, if any.")


def event_payload(body: bytes) -> tuple[object, str]:
    """(the parsed body, "") or (None, why it is not a JSON document we can keep as parsed)."""
    return read_json(body, max_depth=MAX_EVENT_DEPTH)


class CarrierTrackingWebhookView(APIView):
    """Verify, keep and apply one carrier tracking event."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CarrierEventInSerializer,
        parameters=[SIGNATURE_PARAMETER],
        responses={
            200: OpenApiResponse(
                CarrierEventReceiptOutSerializer, description="recorded, or duplicate"
            ),
            202: OpenApiResponse(
                CarrierEventReceiptOutSerializer,
                description="unmatched: no parcel has this tracking number (yet); kept",
            ),
            **error_responses(
                *(400, 401, 404, 413),
                codes={
                    400: "validation_error (not a JSON document), shipping_error (invalid "
                    "event, with fields); the delivery is kept",
                    401: "authentication_failed: signature missing, wrong or stale; "
                    "nothing is kept",
                    404: "not_found: no active carrier with this code",
                    413: "payload_too_large; nothing is kept",
                },
            ),
        },
        summary="Carrier tracking webhook (signed)",
        description="No API key: the body is signed with the carrier's webhook secret. Every "
        "verified delivery is kept as a receipt before it is applied.",
    )
    def post(self, request, code: str):
        carrier = active_carrier(code=code)
        if carrier is None:
            raise exceptions.NotFound(f"No active carrier {code!r}.")
        try:
            # The raw bytes, exactly as signed; DRF has not read the stream yet.
            body = request._request.body
        except RequestDataTooBig:
            body = None
        if body is None or len(body) > MAX_EVENT_BYTES:
            return Response(
                error_body(
                    "payload_too_large",
                    f"A tracking event is at most {MAX_EVENT_BYTES // 1024} KiB.",
                ),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not carrier.webhook_secret or not verify_signature(
            secret=carrier.webhook_secret, body=body, header=signature
        ):
            return Response(
                error_body(
                    "authentication_failed",
                    f"The {SIGNATURE_HEADER} header is missing, stale or does not match the body "
                    "signed with this carrier's webhook secret.",
                ),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        payload, problem = event_payload(body)
        try:
            # A body we cannot keep as parsed is kept as its text, and refused as invalid.
            receipt = carrier_event_receive(
                carrier=carrier,
                payload=body.decode("utf-8", errors="replace") if problem else payload,
            )
        except ShippingError:
            if not problem:
                raise  # the envelope with the service's fields (`oms.api.exception_handler`)
            return Response(
                error_body("validation_error", problem), status=status.HTTP_400_BAD_REQUEST
            )
        answer = (
            status.HTTP_202_ACCEPTED
            if receipt.outcome == CarrierEventReceipt.Outcome.UNMATCHED
            else status.HTTP_200_OK
        )
        result = {
            "outcome": receipt.outcome,
            "receipt": receipt.pk,
            "tracking_number": receipt.tracking_number,
            "shipment": receipt.shipment.number if receipt.shipment else None,
        }
        return Response(CarrierEventReceiptOutSerializer(result).data, status=answer)
