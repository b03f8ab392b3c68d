"""Order JSON in and out of `/api/v1/orders/`."""

from decimal import Decimal

from rest_framework import serializers

from oms.api_output import BuiltOnce
from oms.money import MONEY
from oms.validators import (
    normalize_currency,
    validate_code,
    validate_currency_code,
    validate_reference,
)
from orders.models import Customer, HoldReason, Order, OrderHold, OrderLine
from orders.services import AddressData, CaptureRequest, LineData
from orders.services.capture import MAX_QUANTITY

# --- out ------------------------------------------------------------------------------------


class AddressOutSerializer(BuiltOnce, serializers.Serializer):
    name = serializers.CharField()
    company = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    phone = serializers.CharField()


class OrderLineOutSerializer(BuiltOnce, serializers.ModelSerializer):
    quantity_allocated = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            *("sku", "name", "quantity", "quantity_cancelled", "unit_price", "line_total"),
            *("quantity_allocated", "quantity_shipped", "quantity_returned"),
        ]

    def get_quantity_allocated(self, line) -> int:
        return getattr(line, "allocated_total", None) or 0


class HoldOutSerializer(BuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = OrderHold
        fields = ["id", "reason", "note", "placed_at", "released_at"]


class CustomerOutSerializer(BuiltOnce, serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()


class OrderSerializer(BuiltOnce, serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")
    lines = OrderLineOutSerializer(many=True)
    holds = HoldOutSerializer(many=True)
    customer = CustomerOutSerializer()
    shipping_address = AddressOutSerializer()
    billing_address = AddressOutSerializer(allow_null=True)

    class Meta:
        model = Order
        fields = [
            *("number", "external_id", "channel", "status", "payment_status"),
            *("amount_paid", "balance_due"),
            *("fulfillment_status", "origin", "currency", "subtotal", "shipping_total"),
            *("tax_total", "discount_total", "grand_total", "lines", "holds", "customer"),
            *("email", "shipping_address", "billing_address", "shipping_method"),
            *("placed_at", "ship_by", "cancelled_at", "created_at", "updated_at"),
        ]


# --- in -------------------------------------------------------------------------------------


class AddressInSerializer(BuiltOnce, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class CustomerInSerializer(BuiltOnce, serializers.Serializer):
    email = serializers.EmailField(max_length=Customer._meta.get_field("email").max_length)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class LineInSerializer(BuiltOnce, serializers.Serializer):
    sku = serializers.CharField(max_length=64, validators=[validate_reference])
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PaymentInSerializer(BuiltOnce, serializers.Serializer):
    gateway = serializers.CharField(max_length=30)
    method = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    token = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(**MONEY, required=False, min_value=Decimal("0"))


class CaptureSerializer(BuiltOnce, serializers.Serializer):
    """`POST /api/v1/orders/` (DESIGN.md: order capture)."""

    channel = serializers.CharField(
        required=False,
        validators=[validate_code],
        help_text="Channel code; only for staff keys (a channel key has one).",
    )
    external_id = serializers.CharField(max_length=100, validators=[validate_reference])
    currency = serializers.CharField(
        max_length=3, validators=[validate_currency_code], help_text="ISO 4217, e.g. USD"
    )
    customer = CustomerInSerializer()
    shipping_address = AddressInSerializer()
    billing_address = AddressInSerializer(required=False, allow_null=True)
    lines = LineInSerializer(many=True, allow_empty=False)
    shipping_method = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    shipping_total = serializers.DecimalField(**MONEY, min_value=Decimal("0"), default=Decimal("0"))
    tax_total = serializers.DecimalField(**MONEY, min_value=Decimal("0"), default=Decimal("0"))
    discount_total = serializers.DecimalField(**MONEY, min_value=Decimal("0"), default=Decimal("0"))
    payment = PaymentInSerializer(required=False)
    allow_backorder = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def to_capture_request(self) -> CaptureRequest:
        data = self.validated_data
        customer = data["customer"]
        billing = data.get("billing_address")
        payment = dict(data.get("payment") or {})
        if "amount" in payment:
            payment["amount"] = str(payment["amount"])
        return CaptureRequest(
            external_id=data["external_id"],
            currency=normalize_currency(data["currency"]),
            email=customer["email"],
            first_name=customer["first_name"],
            last_name=customer["last_name"],
            phone=customer["phone"],
            lines=[
                LineData(
                    sku=line["sku"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    name=line["name"],
                )
                for line in data["lines"]
            ],
            shipping_address=AddressData(**data["shipping_address"]),
            billing_address=AddressData(**billing) if billing else None,
            shipping_method=data["shipping_method"],
            shipping_total=data["shipping_total"],
            tax_total=data["tax_total"],
            discount_total=data["discount_total"],
            payment=payment,
            allow_backorder=data["allow_backorder"],
            note=data["note"],
        )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HoldInSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
