"""Inventory's part of /api/v1/: catalog, warehouses, stock levels, adjustments, availability."""

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors, services
from inventory.models import MovementKind, Product, StockLevel, Warehouse
from oms.api_schema import INVALID_CURSOR, error_responses
from oms.roles import STAFF_ROLES, Role
from oms.validators import COUNTRY_CODE_MESSAGE, is_country_code, normalize_country

CATALOG_WRITERS = (Role.MANAGER,)
# The same ceiling as the back-office forms: a typo is an error, not a database overflow.
MAX_STOCK_QUANTITY = 1_000_000
STOCK_WRITERS = (Role.FULFILLMENT, Role.MANAGER)


class SkuCursorPagination(CursorPagination):
    ordering = "sku"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
            *("sku", "name", "barcode", "weight_grams", "price", "cost", "is_active"),
            *("reorder_point", "reorder_quantity", "created_at", "updated_at"),
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"price": {"min_value": 0}, "cost": {"min_value": 0}}


class ProductListView(generics.ListCreateAPIView):
    """Catalog. Filters: `q` (SKU, name or barcode), `active` (true/false)."""

    serializer_class = ProductSerializer
    pagination_class = SkuCursorPagination
    read_roles = STAFF_ROLES
    allowed_roles = CATALOG_WRITERS

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="SKU, name or barcode"),
            OpenApiParameter("active", bool),
        ],
        responses={
            200: ProductSerializer(many=True),
            **error_responses(401, 403, 404, codes=INVALID_CURSOR),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: ProductSerializer, **error_responses(400, 401, 403)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def get_queryset(self):
        products = Product.objects.search(self.request.query_params.get("q", ""))
        active = self.request.query_params.get("active")
        if active in {"true", "false"}:
            products = products.filter(is_active=active == "true")
        return products


class ProductDetailView(APIView):
    """One product by SKU; PUT creates it or replaces its fields (upsert)."""

    read_roles = STAFF_ROLES
    allowed_roles = CATALOG_WRITERS

    @extend_schema(responses={200: ProductSerializer, **error_responses(401, 403, 404)})
    def get(self, request, sku: str):
        return Response(ProductSerializer(get_object_or_404(Product, sku=sku)).data)

    @extend_schema(
        request=ProductSerializer,
        responses={
            200: ProductSerializer,
            201: ProductSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    def put(self, request, sku: str):
        data = {**request.data, "sku": sku}
        with transaction.atomic():
            product = Product.objects.select_for_update().filter(sku=sku).first()
            serializer = ProductSerializer(product, data=data)
            serializer.is_valid(raise_exception=True)
            try:
                with transaction.atomic():
                    saved = serializer.save()
            except IntegrityError as error:
                raise serializers.ValidationError(
                    {"barcode": ["Another product already has this barcode."]}
                ) from error
        return Response(
            ProductSerializer(saved).data,
            status=status.HTTP_200_OK if product else status.HTTP_201_CREATED,
        )


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = [
            *("code", "name", "country", "priority", "is_active"),
            *("address_line1", "city", "postal_code"),
        ]

    def validate_country(self, value: str) -> str:
        if not is_country_code(value):
            raise serializers.ValidationError(COUNTRY_CODE_MESSAGE)
        return normalize_country(value)


@extend_schema_view(
    get=extend_schema(responses={200: WarehouseSerializer(many=True), **error_responses(401, 403)}),
    post=extend_schema(responses={201: WarehouseSerializer, **error_responses(400, 401, 403)}),
)
class WarehouseListView(generics.ListCreateAPIView):
    serializer_class = WarehouseSerializer
    queryset = Warehouse.objects.order_by("priority", "code")
    pagination_class = None
    read_roles = STAFF_ROLES
    allowed_roles = CATALOG_WRITERS


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    available = serializers.IntegerField(help_text="max(0, on_hand − allocated − safety_stock)")

    class Meta:
        model = StockLevel
        fields = [
            *("sku", "warehouse", "on_hand", "allocated", "safety_stock"),
            *("available", "bin_location", "updated_at"),
        ]


class StockLevelsSerializer(serializers.Serializer):
    results = StockLevelSerializer(many=True)


def _skus_param(request) -> list[str]:
    skus = [sku.strip() for sku in request.query_params.getlist("sku") if sku.strip()]
    if not skus:
        raise serializers.ValidationError({"sku": ["Give at least one `sku` parameter."]})
    if len(skus) > 200:
        raise serializers.ValidationError({"sku": ["At most 200 SKUs per request."]})
    return skus


class StockLevelListView(APIView):
    """Stock levels per warehouse for the given SKUs (`?sku=A&sku=B`)."""

    read_roles = STAFF_ROLES

    @extend_schema(
        parameters=[OpenApiParameter("sku", str, many=True, required=True)],
        responses={200: StockLevelsSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        levels = selectors.levels_for_skus(skus=_skus_param(request))
        return Response(StockLevelsSerializer({"results": levels}).data)


ADJUSTMENT_REASONS = {
    "receipt": MovementKind.RECEIPT,
    "adjustment": MovementKind.ADJUSTMENT,
    "count": MovementKind.COUNT,
    "damage": MovementKind.DAMAGE,
}
ADJUSTMENT_REASON_CHOICES = sorted(ADJUSTMENT_REASONS)


class StockAdjustmentSerializer(serializers.Serializer):
    sku = serializers.SlugRelatedField(slug_field="sku", queryset=Product.objects.all())
    warehouse = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.all())
    quantity = serializers.IntegerField(
        required=False,
        min_value=-MAX_STOCK_QUANTITY,
        max_value=MAX_STOCK_QUANTITY,
        help_text="± change of on hand",
    )
    set_on_hand = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_STOCK_QUANTITY, help_text="counted"
    )
    reason = serializers.ChoiceField(choices=ADJUSTMENT_REASON_CHOICES)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs):
        has_quantity, has_set = "quantity" in attrs, "set_on_hand" in attrs
        if has_quantity == has_set:
            raise serializers.ValidationError(
                {"quantity": ["Give exactly one of `quantity` (a change) or `set_on_hand`."]}
            )
        if attrs["reason"] == "count" and not has_set:
            raise serializers.ValidationError({"set_on_hand": ["A count sets `set_on_hand`."]})
        if has_set and attrs["reason"] != "count":
            raise serializers.ValidationError({"reason": ["`set_on_hand` is a `count`."]})
        if has_quantity and attrs["quantity"] == 0:
            raise serializers.ValidationError({"quantity": ["The change cannot be zero."]})
        return attrs


class StockAdjustmentView(APIView):
    """Change stock: a receipt, an adjustment (±), damage written off, or a count."""

    allowed_roles = STOCK_WRITERS

    @extend_schema(
        request=StockAdjustmentSerializer,
        responses={
            201: StockLevelSerializer,
            **error_responses(400, 401, 403, 409, codes={409: "negative_stock, stock_allocated"}),
        },
    )
    def post(self, request):
        serializer = StockAdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "product": data["sku"],
            "warehouse": data["warehouse"],
            "actor": request.user,
            "reference": data.get("reference", ""),
            "note": data.get("note", ""),
        }
        if data["reason"] == "count":
            level = services.stock_count(counted=data["set_on_hand"], **common)
        else:
            level = services.stock_adjust(
                delta=data["quantity"], kind=ADJUSTMENT_REASONS[data["reason"]], **common
            )
        level = StockLevel.objects.select_related("product", "warehouse").get(pk=level.pk)
        return Response(StockLevelSerializer(level).data, status=status.HTTP_201_CREATED)


class AvailabilitySerializer(serializers.Serializer):
    sku = serializers.CharField()
    available = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    allocated = serializers.IntegerField()


class AvailabilityOutSerializer(serializers.Serializer):
    results = AvailabilitySerializer(many=True, help_text="The SKUs found, in the order asked.")
    unknown_skus = serializers.ListField(
        child=serializers.CharField(), help_text="The SKUs asked for that do not exist."
    )


class AvailabilityView(APIView):
    """Available to promise per SKU over all active warehouses (`?sku=A&sku=B`)."""

    read_roles = STAFF_ROLES

    @extend_schema(
        parameters=[OpenApiParameter("sku", str, many=True, required=True)],
        responses={200: AvailabilityOutSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        skus = _skus_param(request)
        found = selectors.availability(skus=skus)
        unknown = [sku for sku in dict.fromkeys(skus) if sku not in found]
        results = [found[sku] for sku in dict.fromkeys(skus) if sku in found]
        body = {"results": results, "unknown_skus": unknown}
        return Response(AvailabilityOutSerializer(body).data)


urlpatterns = [
    path("products/", ProductListView.as_view(), name="products"),
    path("products/<path:sku>/", ProductDetailView.as_view(), name="product"),
    path("warehouses/", WarehouseListView.as_view(), name="warehouses"),
    path("stock/", StockLevelListView.as_view(), name="stock"),
    path("stock/adjustments/", StockAdjustmentView.as_view(), name="stock-adjustments"),
    path("availability/", AvailabilityView.as_view(), name="availability"),
]
