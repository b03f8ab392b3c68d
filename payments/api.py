"""Payments' part of /api/v1/: an order's payments (list, record, authorize) and refunds.

Staff act with their role (recording money: Support and Managers; refunds too, Support up to
`PAYMENTS_SUPPORT_REFUND_LIMIT`). A channel's key sees its own orders' payments and may add a
card payment (a token from its checkout) or say the channel took the money; refunds and cash
are for staff.
"""

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import exception_handler
from oms.api_schema import error_responses
from oms.errors import DomainError
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from oms.money import MONEY
from oms.roles import Role
from orders.api import OrderViewMixin, actor_of, channel_of
from orders.models import Order
from payments.gateways import gateway_codes, get_gateway
from payments.models import Payment, PaymentTransaction
from payments.selectors import payments_of
from payments.services import payment_authorize, payment_record, payment_refund

MONEY_HANDLERS = (Role.SUPPORT, Role.MANAGER)


class TransactionSerializer(serializers.ModelSerializer):
    success = serializers.BooleanField(read_only=True)

    class Meta:
        model = PaymentTransaction
        fields = [
            *("id", "kind", "status", "success", "amount", "reference", "reason"),
            *("gateway_reference", "error", "attempts", "created_at", "completed_at"),
        ]


class PaymentSerializer(serializers.ModelSerializer):
    transactions = TransactionSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            *("id", "gateway", "method", "status", "currency", "amount"),
            *("amount_authorized", "amount_captured", "amount_voided", "amount_refunded"),
            *("reference", "failure_reason", "created_at", "updated_at", "transactions"),
        ]


class PaymentsOfOrderSerializer(serializers.Serializer):
    order = serializers.CharField()
    currency = serializers.CharField()
    payment_status = serializers.ChoiceField(choices=Order.PaymentStatus.choices)
    grand_total = serializers.DecimalField(**MONEY)
    amount_paid = serializers.DecimalField(**MONEY)
    balance_due = serializers.DecimalField(**MONEY)
    results = PaymentSerializer(many=True)


class NewPaymentSerializer(serializers.Serializer):
    gateway = serializers.ChoiceField(choices=[])
    method = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    token = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Defaults to the balance due for a card; required for money received.",
    )
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Receipt number or bank reference of money received.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gateway"].choices = gateway_codes()

    def validate(self, data):
        if get_gateway(data["gateway"]).offline and "amount" not in data:
            raise serializers.ValidationError({"amount": ["Say how much was received."]})
        return data


class RefundInSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=300)


class RefundOutSerializer(serializers.Serializer):
    order = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField()
    refunds = TransactionSerializer(many=True)
    payment_status = serializers.ChoiceField(choices=Order.PaymentStatus.choices)
    amount_paid = serializers.DecimalField(**MONEY)
    balance_due = serializers.DecimalField(**MONEY)


def _summary(order: Order) -> dict:
    order.refresh_from_db(fields=["payment_status", "amount_paid", "balance_due", "grand_total"])
    return {
        "order": order.number,
        "currency": order.currency,
        "payment_status": order.payment_status,
        "grand_total": order.grand_total,
        "amount_paid": order.amount_paid,
        "balance_due": order.balance_due,
    }


ERRORS = error_responses(
    *(400, 401, 403, 404, 409, 422),
    codes={
        403: "permission_denied, refund_limit_exceeded",
        409: "refund_exceeds_captured, invalid_transition, request_in_progress",
    },
)


class OrderPaymentsView(OrderViewMixin, APIView):
    allowed_roles = MONEY_HANDLERS

    @extend_schema(responses={200: PaymentsOfOrderSerializer, **error_responses(401, 403, 404)})
    def get(self, request, number: str):
        order = self.get_order(request, number)
        body = {**_summary(order), "results": payments_of(order=order)}
        return Response(PaymentsOfOrderSerializer(body).data)

    @extend_schema(
        request=NewPaymentSerializer,
        responses={201: PaymentSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Record money received, or authorize a card payment",
    )
    def post(self, request, number: str):
        order = self.get_order(request, number)
        return idempotent(request, lambda: self._create(request, order))

    def _create(self, request, order: Order) -> Response:
        try:
            data = NewPaymentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            gateway = get_gateway(values["gateway"])
            user, label = actor_of(request)
            if gateway.offline and user is None and gateway.code != "marketplace":
                raise exceptions.PermissionDenied(
                    "Cash and transfers are recorded by staff; a channel key may record "
                    "marketplace payments or authorize a card."
                )
            if gateway.offline:
                payment = payment_record(
                    order=order,
                    gateway=gateway.code,
                    amount=values["amount"],
                    method=values["method"],
                    reference=values["reference"],
                    actor=user,
                    actor_label=label,
                )
            else:
                payment = payment_authorize(
                    order=order,
                    gateway=gateway.code,
                    token=values["token"],
                    method=values["method"] or "card",
                    amount=values.get("amount"),
                    actor=user,
                    actor_label=label,
                )
        except (DomainError, exceptions.APIException) as error:
            return exception_handler(error, {"request": request, "view": self})
        fresh = next(p for p in payments_of(order=order) if p.pk == payment.pk)
        return Response(PaymentSerializer(fresh).data, status=status.HTTP_201_CREATED)


class OrderRefundsView(OrderViewMixin, APIView):
    allowed_roles = MONEY_HANDLERS

    @extend_schema(
        request=RefundInSerializer,
        responses={201: RefundOutSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Refund part or all of what was captured",
    )
    def post(self, request, number: str):
        order = self.get_order(request, number)
        return idempotent(request, lambda: self._refund(request, order))

    def _refund(self, request, order: Order) -> Response:
        try:
            if channel_of(request) is not None:
                raise exceptions.PermissionDenied("Refunds are made by staff, not channel keys.")
            data = RefundInSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            user, label = actor_of(request)
            refunds = payment_refund(
                order=order,
                amount=data.validated_data["amount"],
                reason=data.validated_data["reason"],
                actor=user,
                actor_label=label,
            )
        except (DomainError, exceptions.APIException) as error:
            return exception_handler(error, {"request": request, "view": self})
        for refund in refunds:
            refund.refresh_from_db()
        body = {
            **_summary(order),
            "amount": data.validated_data["amount"],
            "reason": data.validated_data["reason"],
            "refunds": refunds,
        }
        return Response(RefundOutSerializer(body).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("orders/<str:number>/payments/", OrderPaymentsView.as_view(), name="order-payments"),
    path("orders/<str:number>/refunds/", OrderRefundsView.as_view(), name="order-refunds"),
]
