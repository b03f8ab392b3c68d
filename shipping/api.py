"""Shipping's part of /api/v1/: parcels for an order, a shipment, confirming it shipped, its
label, and the carriers' tracking webhook.

Who may do what:
- Staff act with their role: Fulfillment and Managers create and ship parcels; every staff role
  reads them. A 3PL or WMS works for every channel, so it uses a staff key
  (`create_api_key --user <a Fulfillment user>`): the timeline then names that user.
- A channel's key creates, reads and ships the parcels of its own orders only (a channel that
  fulfils its orders itself); another channel's shipment is a 404, as its orders are.
- A carrier has no key: its tracking webhook is authenticated by `X-OMS-Signature` with the
  carrier's webhook secret, checked over the raw bytes before anything parses them.

Parcels made through the API are packed at once without scanning (`shipment_pack(unscanned=
True)`): an integration has no scan station. Unless `"label": false`, each label is then owed to
a worker (`label_pending` → `label_ready`).
"""

from django.core.validators import RegexValidator
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import Warehouse
from oms.api import JsonErrorsOnly, exception_handler
from oms.api_schema import error_responses
from oms.errors import DomainError
from oms.files import pdf_response
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from oms.roles import STAFF_ROLES, Role
from orders.api import HasRoleOrChannelKey, OrderViewMixin, actor_of, channel_of
from orders.models import Order
from shipping.api_webhooks import CarrierTrackingWebhookView
from shipping.models import (
    Shipment,
    ShipmentLine,
    ShippingMethod,
    TrackingEvent,
)
from shipping.selectors_api import shipment_for_api, shipments_for_api
from shipping.services import (
    WantedUnits,
    shipment_ship,
    shipments_create,
)

SHIPMENT_WRITERS = (Role.FULFILLMENT, Role.MANAGER)
MAX_LINE_QUANTITY = 100_000

# --- serializers ----------------------------------------------------------------------------


class ShipmentLineOutSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="order_line.sku", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = read_only_fields = ["sku", "quantity"]


class TrackingEventOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = read_only_fields = ["status", "occurred_at", "location", "description"]


class ShipmentSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    shipping_method = serializers.CharField(source="method.code", allow_null=True, read_only=True)
    carrier = serializers.CharField(source="method.carrier.code", allow_null=True, read_only=True)
    tracking_url = serializers.SerializerMethodField()
    label_url = serializers.SerializerMethodField()
    lines = ShipmentLineOutSerializer(many=True, read_only=True)
    events = TrackingEventOutSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            *("id", "number", "order", "warehouse", "status", "shipping_method", "carrier"),
            *("tracking_number", "tracking_url", "label_url", "weight_grams", "cost", "currency"),
            *("promised_at", "shipped_at", "delivered_at", "lines", "events"),
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_tracking_url(self, shipment: Shipment) -> str | None:
        return shipment.tracking_url or None

    @extend_schema_field(
        serializers.URLField(allow_null=True, help_text="The label PDF; null until it is made.")
    )
    def get_label_url(self, shipment: Shipment) -> str | None:
        if not shipment.label_pdf:
            return None
        url = reverse("api:shipment-label", kwargs={"pk": shipment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class CreatedShipmentsSerializer(serializers.Serializer):
    results = ShipmentSerializer(many=True, read_only=True)


class ShipmentLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class NewShipmentsSerializer(serializers.Serializer):
    warehouse = serializers.CharField(
        max_length=20, required=False, help_text="Only what is allocated at this warehouse (code)."
    )
    lines = ShipmentLineInSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="Only these units; by default everything allocated and not in a parcel yet.",
    )
    shipping_method = serializers.CharField(
        max_length=40,
        required=False,
        help_text="A shipping method code; by default the cheapest that keeps the promise.",
    )
    label = serializers.BooleanField(
        default=True,
        help_text="Pack each parcel at once and queue its label (default); false leaves the "
        "parcels pending, e.g. for a 3PL that prints its own.",
    )

    def validate_warehouse(self, code: str) -> Warehouse:
        warehouse = Warehouse.objects.filter(code=code, is_active=True).first()
        if warehouse is None:
            raise serializers.ValidationError(f"No active warehouse {code!r}.")
        return warehouse

    def validate_shipping_method(self, code: str) -> ShippingMethod:
        method = (
            ShippingMethod.objects.select_related("carrier")
            .filter(code=code, is_active=True, carrier__is_active=True)
            .first()
        )
        if method is None:
            raise serializers.ValidationError(f"No active shipping method {code!r}.")
        return method


class ShipmentShipInSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                "Letters and digits (dots, dashes and underscores inside).",
            )
        ],
        help_text="The 3PL's own tracking number; leave out when the parcel has our label.",
    )


ERRORS = error_responses(
    *(400, 401, 403, 404, 409, 422), codes={400: "validation_error, shipping_error"}
)
READ_ERRORS = error_responses(401, 403, 404)


def _error_response(error, request, view) -> Response:
    return exception_handler(error, {"request": request, "view": view})


def _in_request_terms(error):
    """The services name the method `method`; this API calls it `shipping_method`."""
    if isinstance(error, DomainError) and "method" in error.fields:
        error.fields = {
            ("shipping_method" if name == "method" else name): messages
            for name, messages in error.fields.items()
        }
    return error


# --- shipments ------------------------------------------------------------------------------


class OrderShipmentsView(OrderViewMixin, APIView):
    allowed_roles = SHIPMENT_WRITERS

    @extend_schema(
        request=NewShipmentsSerializer,
        responses={201: CreatedShipmentsSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Create the order's parcels (packed, label queued)",
        description="By default every allocated unit not yet in a parcel, one parcel per "
        "warehouse. Each parcel is packed without scanning and its label queued, unless "
        '`"label": false`.',
    )
    def post(self, request, number: str):
        order = self.get_order(request, number)
        return idempotent(request, lambda: self._create(request, order))

    def _create(self, request, order: Order) -> Response:
        try:
            data = NewShipmentsSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            user, label = actor_of(request)
            wanted = [
                WantedUnits(line["sku"], line["quantity"]) for line in values.get("lines", [])
            ]
            shipments = shipments_create(
                order=order,
                warehouse=values.get("warehouse"),
                wanted=wanted or None,
                method=values.get("shipping_method"),
                pack_unscanned=values["label"],
                actor=user,
                actor_label=label,
            )
        except (DomainError, exceptions.APIException) as error:
            return _error_response(_in_request_terms(error), request, self)
        created = shipments_for_api(shipment_ids=[shipment.pk for shipment in shipments])
        body = CreatedShipmentsSerializer({"results": created}, context={"request": request})
        return Response(body.data, status=status.HTTP_201_CREATED)


class ShipmentViewMixin:
    permission_classes = [HasRoleOrChannelKey]
    read_roles = STAFF_ROLES
    allowed_roles = SHIPMENT_WRITERS

    def get_shipment(self, request, pk: int) -> Shipment:
        try:
            return shipment_for_api(shipment_id=pk, channel=channel_of(request))
        except Shipment.DoesNotExist as missing:
            raise exceptions.NotFound(f"No shipment {pk}.") from missing

    def shipment_response(self, request, pk: int) -> Response:
        shipment = shipment_for_api(shipment_id=pk)
        return Response(ShipmentSerializer(shipment, context={"request": request}).data)


class ShipmentDetailView(ShipmentViewMixin, APIView):
    @extend_schema(responses={200: ShipmentSerializer, **READ_ERRORS}, summary="A shipment")
    def get(self, request, pk: int):
        shipment = self.get_shipment(request, pk)
        return Response(ShipmentSerializer(shipment, context={"request": request}).data)


class ShipmentShipView(ShipmentViewMixin, APIView):
    @extend_schema(
        request=ShipmentShipInSerializer,
        responses={200: ShipmentSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Confirm the parcel shipped (a 3PL may give its own tracking number)",
        description="Consumes the stock, records the units on the order and asks payments to "
        "capture the parcel's value. 409 `invalid_transition` when the parcel shipped or was "
        "cancelled already, or the order is on hold.",
    )
    def post(self, request, pk: int):
        shipment = self.get_shipment(request, pk)
        return idempotent(request, lambda: self._ship(request, shipment))

    def _ship(self, request, shipment: Shipment) -> Response:
        try:
            data = ShipmentShipInSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            user, label = actor_of(request)
            shipment_ship(
                shipment=shipment,
                actor=user,
                actor_label=label,
                tracking_number=data.validated_data["tracking_number"],
            )
        except (DomainError, exceptions.APIException) as error:
            return _error_response(error, request, self)
        return self.shipment_response(request, shipment.pk)


class ShipmentLabelView(ShipmentViewMixin, APIView):
    content_negotiation_class = JsonErrorsOnly

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The 4×6 label."
            ),
            **READ_ERRORS,
        },
        operation_id="v1_shipments_label_retrieve",
        summary="The parcel's label as a PDF",
        description="404 `not_found` while the parcel has no label.",
    )
    def get(self, request, pk: int):
        shipment = self.get_shipment(request, pk)
        response = pdf_response(shipment.label_pdf, filename=f"{shipment.number}.pdf")
        if response is None:
            raise exceptions.NotFound(f"Shipment {shipment.number} has no label yet.")
        return response


urlpatterns = [
    path("orders/<str:number>/shipments/", OrderShipmentsView.as_view(), name="order-shipments"),
    path("shipments/<int:pk>/", ShipmentDetailView.as_view(), name="shipment"),
    path("shipments/<int:pk>/ship/", ShipmentShipView.as_view(), name="shipment-ship"),
    path("shipments/<int:pk>/label.pdf", ShipmentLabelView.as_view(), name="shipment-label"),
    path(
        "carriers/<slug:code>/tracking/",
        CarrierTrackingWebhookView.as_view(),
        name="carrier-tracking",
    ),
]
