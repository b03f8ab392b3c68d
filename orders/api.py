"""Orders' part of /api/v1/: capture, list, detail, cancel, holds.

A channel key captures and reads its own channel's orders only; a staff key or session acts
with its user's role and names the channel when it captures.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api import HasRole, exception_handler
from oms.api_schema import INVALID_CURSOR, error_responses
from oms.errors import DomainError
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent, remember_resource
from oms.models import ApiClient
from oms.roles import STAFF_ROLES, Role
from oms.validators import parse_moment
from orders import selectors
from orders.api_serializers import (
    CancelSerializer,
    CaptureSerializer,
    HoldInSerializer,
    OrderSerializer,
)
from orders.api_webhooks import ShopifyOrderWebhookView, WooCommerceOrderWebhookView
from orders.models import OrderHold, OrderStatus, SalesChannel
from orders.services import order_cancel, order_capture, order_hold, order_hold_release

ORDER_WRITERS = (Role.SUPPORT, Role.MANAGER)


def channel_of(request) -> SalesChannel | None:
    """The channel a channel key belongs to (None for staff keys and sessions)."""
    client = request.auth if isinstance(request.auth, ApiClient) else None
    link = getattr(client, "channel_link", None) if client else None
    return link.channel if link else None


def actor_of(request):
    """(staff user or None, label) for the timeline."""
    user = request.user if getattr(request.user, "pk", None) else None
    client = request.auth if isinstance(request.auth, ApiClient) else None
    label = f"api:{client.name}" if client and user is None else None
    return user, label


class HasRoleOrChannelKey(BasePermission):
    """Staff with the view's role, or a channel key (scoped to its channel by the view)."""

    message = HasRole.message

    def has_permission(self, request, view) -> bool:
        if channel_of(request) is not None:
            return True
        return HasRole().has_permission(request, view)


class OrderCursorPagination(CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _error_response(exc, request, view) -> Response:
    return exception_handler(exc, {"request": request, "view": view})


class OrderListView(APIView):
    """Capture an order (POST) or list orders (GET)."""

    permission_classes = [HasRoleOrChannelKey]
    pagination_class = OrderCursorPagination
    read_roles = STAFF_ROLES
    allowed_roles = ORDER_WRITERS

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=OrderStatus.values),
            OpenApiParameter("channel", str),
            OpenApiParameter("external_id", str),
            OpenApiParameter("updated_after", str, description="ISO 8601 date-time"),
        ],
        responses={
            200: OrderSerializer(many=True),
            **error_responses(400, 401, 403, 404, codes=INVALID_CURSOR),
        },
    )
    def get(self, request):
        filters = selectors.OrderFilters(
            status=request.query_params.get("status", ""),
            channel=request.query_params.get("channel", ""),
            external_id=request.query_params.get("external_id", ""),
            updated_after=self._updated_after(request),
        )
        if filters.status and filters.status not in OrderStatus.values:
            raise serializers.ValidationError({"status": ["Unknown status."]})
        orders = selectors.order_list(filters)
        channel = channel_of(request)
        if channel is not None:
            orders = orders.filter(channel=channel)
        orders = (
            orders.order_by()
            .select_related("channel", "customer", "shipping_address", "billing_address")
            .prefetch_related(selectors.lines_with_quantities(), "holds")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSerializer(page, many=True).data)

    @staticmethod
    def _updated_after(request):
        value = request.query_params.get("updated_after")
        if not value:
            return None
        parsed = parse_moment(value)
        if parsed is None:
            raise serializers.ValidationError(
                {"updated_after": ["Use an ISO 8601 date-time from year 1 to 9999."]}
            )
        return parsed

    @extend_schema(
        request=CaptureSerializer,
        responses={
            201: OrderSerializer,
            **error_responses(
                *(400, 401, 403, 409, 422),
                codes={409: "duplicate_order, insufficient_stock, request_in_progress"},
            ),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        summary="Capture an order",
    )
    def post(self, request):
        return idempotent(request, lambda: self._capture(request), replay=self._created)

    def _capture(self, request) -> Response:
        try:
            serializer = CaptureSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            channel = self._channel_for_capture(request, serializer.validated_data)
            user, label = actor_of(request)
            order = order_capture(
                channel=channel,
                request=serializer.to_capture_request(),
                source="api",
                actor=user,
                actor_label=label,
                # Committed with the order: a retry after a crash before the response was
                # stored answers with this order instead of 409 duplicate_order.
                on_stored=lambda order: remember_resource(request, resource=order.number),
            )
        except (DomainError, exceptions.APIException) as error:
            return _error_response(error, request, self)
        detail = selectors.captured_order_detail(order)
        return Response(OrderSerializer(detail).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _created(number: str) -> Response:
        order = selectors.order_by_number(number=number)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _channel_for_capture(request, data) -> SalesChannel:
        own = channel_of(request)
        if own is not None:
            if data.get("channel") and data["channel"] != own.code:
                raise exceptions.PermissionDenied("This key captures for its own channel only.")
            return own
        code = data.get("channel")
        if not code:
            raise serializers.ValidationError({"channel": ["Name the channel (its code)."]})
        channel = SalesChannel.objects.filter(code=code, is_active=True).first()
        if channel is None:
            raise serializers.ValidationError({"channel": [f"No active channel {code!r}."]})
        return channel


class OrderViewMixin:
    permission_classes = [HasRoleOrChannelKey]
    read_roles = STAFF_ROLES
    allowed_roles = ORDER_WRITERS

    def get_order(self, request, number: str):
        channel = channel_of(request)
        orders = selectors.order_detail_queryset()
        if channel is not None:
            orders = orders.filter(channel=channel)
        return get_object_or_404(orders, number=number)

    def order_response(self, number: str, code=status.HTTP_200_OK) -> Response:
        return Response(OrderSerializer(selectors.order_by_number(number=number)).data, status=code)


class OrderDetailView(OrderViewMixin, APIView):
    @extend_schema(responses={200: OrderSerializer, **error_responses(401, 403, 404)})
    def get(self, request, number: str):
        return Response(OrderSerializer(self.get_order(request, number)).data)


class OrderCancelView(OrderViewMixin, APIView):
    @extend_schema(
        request=CancelSerializer,
        responses={200: OrderSerializer, **error_responses(400, 401, 403, 404, 409)},
        summary="Cancel an order",
    )
    def post(self, request, number: str):
        order = self.get_order(request, number)
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, label = actor_of(request)
        order_cancel(
            order=order, reason=data.validated_data["reason"], actor=user, actor_label=label
        )
        return self.order_response(number)


class OrderHoldView(OrderViewMixin, APIView):
    allowed_roles = (Role.SUPPORT, Role.MANAGER, Role.FULFILLMENT)

    @extend_schema(
        request=HoldInSerializer,
        responses={201: OrderSerializer, **error_responses(400, 401, 403, 404, 409)},
        summary="Add a hold",
    )
    def post(self, request, number: str):
        order = self.get_order(request, number)
        data = HoldInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, label = actor_of(request)
        order_hold(
            order=order,
            actor=user,
            actor_label=label,
            channel=channel_of(request),
            **data.validated_data,
        )
        return self.order_response(number, status.HTTP_201_CREATED)


class OrderHoldReleaseView(OrderViewMixin, APIView):
    @extend_schema(
        request=None,
        responses={200: OrderSerializer, **error_responses(401, 403, 404, 409)},
        summary="Release a hold",
    )
    def post(self, request, number: str, hold_id: int):
        order = self.get_order(request, number)
        hold = get_object_or_404(OrderHold, pk=hold_id, order=order)
        user, label = actor_of(request)
        order_hold_release(
            order=order, hold=hold, actor=user, actor_label=label, channel=channel_of(request)
        )
        return self.order_response(number)


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/cancel/", OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<str:number>/holds/", OrderHoldView.as_view(), name="order-holds"),
    path(
        "orders/<str:number>/holds/<int:hold_id>/release/",
        OrderHoldReleaseView.as_view(),
        name="order-hold-release",
    ),
    path(
        "channels/<slug:code>/shopify/orders/",
        ShopifyOrderWebhookView.as_view(),
        name="channel-shopify-orders",
    ),
    path(
        "channels/<slug:code>/woocommerce/orders/",
        WooCommerceOrderWebhookView.as_view(),
        name="channel-woocommerce-orders",
    ),
]
