"""What the returns API reads and writes: its request and response bodies."""

from django.urls import reverse
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from inventory.models import Warehouse
from oms.money import MONEY
from returns.models import Condition, Resolution, ReturnLine, ReturnReason, ReturnRequest

MAX_LINE_QUANTITY = 100_000

# --- serializers: out -----------------------------------------------------------------------


class ReturnLineOutSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="order_line.sku", read_only=True)
    quantity_received = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReturnLine
        fields = read_only_fields = [
            *("sku", "quantity", "reason"),
            *("quantity_received", "quantity_sellable", "quantity_damaged"),
        ]


class ReturnExchangeLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class ReturnRefundQuoteSerializer(serializers.Serializer):
    lines_value = serializers.DecimalField(
        **MONEY, source="quote.lines_value", help_text="The units received, at their price."
    )
    tax_share = serializers.DecimalField(**MONEY, source="quote.tax_share")
    discount_share = serializers.DecimalField(**MONEY, source="quote.discount_share")
    shipping = serializers.DecimalField(
        **MONEY, source="quote.shipping", help_text="Not included unless asked for."
    )
    restocking_fee = serializers.DecimalField(**MONEY, source="quote.restocking_fee")
    refundable = serializers.DecimalField(
        **MONEY,
        source="quote.refundable",
        help_text="Paid and not refunded yet: no refund goes above it.",
    )
    total = serializers.DecimalField(
        **MONEY, source="quote.total", help_text="What `refund/` with an empty body refunds."
    )
    shipping_refundable = serializers.DecimalField(
        **MONEY,
        help_text="What `include_shipping` would add: the order's shipping charge, unless "
        "another return refunded it.",
    )


class ReturnSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    order = serializers.CharField(source="order.number", read_only=True)
    lines = ReturnLineOutSerializer(many=True, read_only=True)
    exchange_lines = ReturnExchangeLineSerializer(
        many=True, read_only=True, source="exchange_request"
    )
    label_url = serializers.SerializerMethodField()
    refund_quote = ReturnRefundQuoteSerializer(
        source="current_quote",
        read_only=True,
        allow_null=True,
        help_text="While received: the refund `refund/` would make; null otherwise.",
    )
    replacement_order = serializers.CharField(
        source="replacement_order.number", read_only=True, allow_null=True
    )

    class Meta:
        model = ReturnRequest
        fields = [
            *("number", "order", "status", "resolution", "note", "lines", "exchange_lines"),
            *("decided_at", "rejection_reason", "label_status", "tracking_number", "label_url"),
            *("refund_amount", "refund_quote", "replacement_order"),
            *("created_at", "received_at", "refunded_at", "closed_at"),
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.URLField(allow_null=True, help_text="The label PDF; null until it is made.")
    )
    def get_label_url(self, rma: ReturnRequest) -> str | None:
        if rma.label_status != ReturnRequest.LabelStatus.READY or not rma.label_pdf:
            return None
        url = reverse("api:return-label", kwargs={"number": rma.number})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


# --- serializers: in ------------------------------------------------------------------------


class ReturnLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)


class NewReturnSerializer(serializers.Serializer):
    lines = ReturnLineInSerializer(many=True, allow_empty=False)
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    exchange_lines = ReturnExchangeLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="For an exchange: what to send instead (by default the same units again).",
    )
    note = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the customer said.",
    )

    def validate(self, data):
        if data.get("exchange_lines") and data["resolution"] != Resolution.EXCHANGE:
            raise serializers.ValidationError({"exchange_lines": ["Only for an exchange."]})
        return data


def _active_warehouse(code: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(code=code, is_active=True).first()
    if warehouse is None:
        raise serializers.ValidationError(f"No active warehouse {code!r}.")
    return warehouse


class ReturnApproveInSerializer(serializers.Serializer):
    label = serializers.BooleanField(
        default=False, help_text="Have a return label made for the customer (by a worker)."
    )
    warehouse = serializers.CharField(
        max_length=20,
        required=False,
        help_text="The warehouse the parcel goes back to (code); by default the one the "
        "units shipped from.",
    )

    def validate_warehouse(self, code: str) -> Warehouse:
        return _active_warehouse(code)


class ReturnRejectInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Emailed to the customer.")


class ReturnReceivedLineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    condition = serializers.ChoiceField(
        choices=Condition.choices, help_text="Sellable units are restocked; damaged ones are not."
    )


class ReturnReceiveInSerializer(serializers.Serializer):
    lines = ReturnReceivedLineInSerializer(many=True, allow_empty=False)
    warehouse = serializers.CharField(
        max_length=20,
        required=False,
        help_text="Where sellable units go back on the shelf (code); by default the return's "
        "warehouse, else the one the units shipped from.",
    )

    def validate_warehouse(self, code: str) -> Warehouse:
        return _active_warehouse(code)


class ReturnRefundInSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="By default the computed refund; staff may give less (0 settles the return "
        "without money), never more.",
    )
    include_shipping = serializers.BooleanField(
        default=False, help_text="Add the order's shipping charge (refunded once per order)."
    )
    restocking_fee = serializers.DecimalField(**MONEY, min_value=0, default=0)
