"""Returns' part of /api/v1/: open a return for an order, read it, and take it through its
lifecycle (approve or reject, receive, refund or exchange, close), plus its return label.

Who may do what:
- Staff act with their role, as the return's transitions declare: Support and Managers open,
  approve, reject, refund, exchange and close returns; Fulfillment and Managers receive them;
  every staff role reads them.
- A channel's key may open returns for its own orders and read them and their labels: that is
  customer self-service on the storefront ("return these items"), which support then decides
  on. It may not approve, reject, receive, refund, exchange or close (403, whatever the
  return); another channel's return is a 404, as its orders are.

Every write honours `Idempotency-Key` (a replayed refund never refunds twice; a replayed
receipt never restocks twice). `exchange/` and `close/` are not in DESIGN.md's table; the
lifecycle needs them.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import HasRole, JsonErrorsOnly, exception_handler
from oms.api_schema import error_responses
from oms.errors import DomainError
from oms.files import pdf_response
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from oms.roles import STAFF_ROLES, Role
from orders.api import HasRoleOrChannelKey, OrderViewMixin, actor_of, channel_of
from orders.models import Order
from returns.api_serializers import (
    NewReturnSerializer,
    ReturnApproveInSerializer,
    ReturnReceiveInSerializer,
    ReturnRefundInSerializer,
    ReturnRejectInSerializer,
    ReturnSerializer,
)
from returns.models import ReturnRequest
from returns.selectors_api import return_for_api
from returns.services import (
    ExchangeLineData,
    ReceivedUnits,
    ReturnLineData,
    return_approve,
    return_close,
    return_create,
    return_exchange,
    return_receive,
    return_refund,
    return_reject,
)

RETURN_DECIDERS = (Role.SUPPORT, Role.MANAGER)
RETURN_RECEIVERS = (Role.FULFILLMENT, Role.MANAGER)

WRITE_STATUSES = (400, 401, 403, 404, 409, 422)
READ_ERRORS = error_responses(401, 403, 404)


def _error_response(error, request, view) -> Response:
    return exception_handler(error, {"request": request, "view": view})


# --- opening a return -----------------------------------------------------------------------


class OrderReturnsView(OrderViewMixin, APIView):
    allowed_roles = RETURN_DECIDERS

    @extend_schema(
        request=NewReturnSerializer,
        responses={
            201: ReturnSerializer,
            **error_responses(
                *WRITE_STATUSES,
                codes={
                    409: "return_exceeds_shipped (more units than shipped and not yet "
                    "returned or on another open return), request_in_progress"
                },
            ),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Open a return for shipped units",
        description="Support, Managers, or the order's channel key (customer self-service). "
        "The return starts `requested`; staff approve or reject it.",
    )
    def post(self, request, number: str):
        if "\x00" in number:  # PostgreSQL refuses NUL in a parameter: a 500 in get_order
            raise exceptions.NotFound(f"No order {number!r}.")
        order = self.get_order(request, number)
        return idempotent(request, lambda: self._create(request, order))

    def _create(self, request, order: Order) -> Response:
        try:
            data = NewReturnSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            user, label = actor_of(request)
            exchange = [
                ExchangeLineData(item["sku"], item["quantity"])
                for item in values.get("exchange_lines", [])
            ]
            rma = return_create(
                order=order,
                lines=[
                    ReturnLineData(line["sku"], line["quantity"], line["reason"])
                    for line in values["lines"]
                ],
                resolution=values["resolution"],
                note=values["note"],
                exchange_lines=exchange or None,
                actor=user,
                actor_label=label,
            )
        except (DomainError, exceptions.APIException) as error:
            return _error_response(error, request, self)
        rma = return_for_api(number=rma.number)
        body = ReturnSerializer(rma, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- a return -------------------------------------------------------------------------------


class StaffRole(HasRole):
    """The view's roles, for staff only: a channel's key opens and reads returns, nothing more."""

    def has_permission(self, request, view) -> bool:
        if channel_of(request) is not None:
            self.message = (
                "Returns are decided, received and settled by staff; a channel key may open "
                "and read them."
            )
            return False
        return super().has_permission(request, view)


class ReturnViewMixin:
    permission_classes = [HasRoleOrChannelKey]
    read_roles = STAFF_ROLES
    allowed_roles = RETURN_DECIDERS

    def get_return(self, request, number: str) -> ReturnRequest:
        try:
            return return_for_api(number=number, channel=channel_of(request))
        except ReturnRequest.DoesNotExist as missing:
            raise exceptions.NotFound(f"No return {number!r}.") from missing

    def return_response(self, request, number: str, code=status.HTTP_200_OK) -> Response:
        rma = return_for_api(number=number)
        return Response(ReturnSerializer(rma, context={"request": request}).data, status=code)


class ReturnDetailView(ReturnViewMixin, APIView):
    @extend_schema(responses={200: ReturnSerializer, **READ_ERRORS}, summary="A return")
    def get(self, request, number: str):
        rma = self.get_return(request, number)
        return Response(ReturnSerializer(rma, context={"request": request}).data)


class ReturnLabelView(ReturnViewMixin, APIView):
    content_negotiation_class = JsonErrorsOnly

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The 4×6 return label."
            ),
            **READ_ERRORS,
        },
        operation_id="v1_returns_label_retrieve",
        summary="The return label as a PDF",
        description="404 `not_found` until the label is made (or when none was asked for).",
    )
    def get(self, request, number: str):
        rma = self.get_return(request, number)
        ready = rma.label_status == ReturnRequest.LabelStatus.READY
        response = pdf_response(rma.label_pdf, filename=f"{rma.number}.pdf") if ready else None
        if response is None:
            raise exceptions.NotFound(f"Return {rma.number} has no label yet.")
        return response


class ReturnActionView(ReturnViewMixin, APIView):
    """parse → call the service → the return's JSON; staff only, idempotent."""

    permission_classes = [StaffRole]
    input_serializer: type[serializers.Serializer] | None = None

    def post(self, request, number: str):
        rma = self.get_return(request, number)
        return idempotent(request, lambda: self._act(request, rma))

    def _act(self, request, rma: ReturnRequest) -> Response:
        try:
            values = {}
            if self.input_serializer is not None:
                data = self.input_serializer(data=request.data)
                data.is_valid(raise_exception=True)
                values = data.validated_data
            user, label = actor_of(request)
            self.perform(rma, values, actor=user, actor_label=label)
        except (DomainError, exceptions.APIException) as error:
            return _error_response(error, request, self)
        return self.return_response(request, rma.number)

    def perform(self, rma: ReturnRequest, values: dict, **who) -> None:
        raise NotImplementedError


def _action_schema(summary: str, description: str, *, request=None, codes=None):
    return extend_schema_view(
        post=extend_schema(
            request=request,
            responses={200: ReturnSerializer, **error_responses(*WRITE_STATUSES, codes=codes)},
            parameters=[IDEMPOTENCY_PARAMETER],
            summary=summary,
            description=description,
        )
    )


@_action_schema(
    "Approve a requested return (optionally with a return label)",
    "Support and Managers. The customer is emailed the RMA number and instructions; with "
    '`"label": true` a worker makes the label, then `label_url` serves it.',
    request=ReturnApproveInSerializer,
)
class ReturnApproveView(ReturnActionView):
    input_serializer = ReturnApproveInSerializer

    def perform(self, rma, values, **who):
        return_approve(rma=rma, label=values["label"], warehouse=values.get("warehouse"), **who)


@_action_schema(
    "Reject a requested return, saying why",
    "Support and Managers. The customer is emailed the reason.",
    request=ReturnRejectInSerializer,
)
class ReturnRejectView(ReturnActionView):
    input_serializer = ReturnRejectInSerializer

    def perform(self, rma, values, **who):
        return_reject(rma=rma, reason=values["reason"], **who)


@_action_schema(
    "Record what arrived (all or part of the return)",
    "Fulfillment and Managers. Sellable units are restocked (ledger `restock`), damaged ones "
    "recorded only. More may arrive later while the return is `received` and not settled. "
    "409 `return_exceeds_shipped` for more units than the return still expects.",
    request=ReturnReceiveInSerializer,
    codes={409: "invalid_transition, return_exceeds_shipped, request_in_progress"},
)
class ReturnReceiveView(ReturnActionView):
    allowed_roles = RETURN_RECEIVERS
    input_serializer = ReturnReceiveInSerializer

    def perform(self, rma, values, **who):
        return_receive(
            rma=rma,
            lines=[
                ReceivedUnits(line["sku"], line["quantity"], line["condition"])
                for line in values["lines"]
            ],
            warehouse=values.get("warehouse"),
            **who,
        )


@_action_schema(
    "Refund a received return through its order's payments",
    "Support and Managers (Support up to `PAYMENTS_SUPPORT_REFUND_LIMIT`, else 403 "
    "`refund_limit_exceeded`). The amount defaults to the computed refund (`refund_quote`: "
    "the units received with their share of tax and discount, plus shipping when asked, minus "
    "the restocking fee); 409 `refund_above_quote` above it.",
    request=ReturnRefundInSerializer,
    codes={
        403: "permission_denied, refund_limit_exceeded",
        409: "invalid_transition, refund_above_quote, refund_exceeds_captured, request_in_progress",
    },
)
class ReturnRefundView(ReturnActionView):
    input_serializer = ReturnRefundInSerializer

    def perform(self, rma, values, **who):
        return_refund(
            rma=rma,
            amount=values.get("amount"),
            include_shipping=values["include_shipping"],
            restocking_fee=values["restocking_fee"],
            **who,
        )


@_action_schema(
    "Settle a received return with a replacement order",
    "Support and Managers. The replacement (origin `exchange`, linked to the original) is "
    "captured and processed like any order; what came back pays for it, so only a difference "
    "is due. Not in DESIGN.md's table: the lifecycle needs it.",
)
class ReturnExchangeView(ReturnActionView):
    def perform(self, rma, values, **who):
        return_exchange(rma=rma, **who)


@_action_schema(
    "File a settled or rejected return away",
    "Support and Managers; from refunded, exchanged or rejected. Not in DESIGN.md's table: "
    "the lifecycle needs it.",
)
class ReturnCloseView(ReturnActionView):
    def perform(self, rma, values, **who):
        return_close(rma=rma, **who)


urlpatterns = [
    path("orders/<str:number>/returns/", OrderReturnsView.as_view(), name="order-returns"),
    path("returns/<str:number>/", ReturnDetailView.as_view(), name="return"),
    path("returns/<str:number>/label.pdf", ReturnLabelView.as_view(), name="return-label"),
    path("returns/<str:number>/approve/", ReturnApproveView.as_view(), name="return-approve"),
    path("returns/<str:number>/reject/", ReturnRejectView.as_view(), name="return-reject"),
    path("returns/<str:number>/receive/", ReturnReceiveView.as_view(), name="return-receive"),
    path("returns/<str:number>/refund/", ReturnRefundView.as_view(), name="return-refund"),
    path("returns/<str:number>/exchange/", ReturnExchangeView.as_view(), name="return-exchange"),
    path("returns/<str:number>/close/", ReturnCloseView.as_view(), name="return-close"),
]
