"""Choosing how a parcel travels: the cheapest method that meets the ship-by and the promise."""

from django.utils import timezone

from orders.models import Order
from shipping.errors import ShippingError
from shipping.models import Shipment, ShippingMethod
from shipping.rates import RateQuote, RateShopping, promise_for, quote, rate_shop


def active_methods() -> list[ShippingMethod]:
    """Every method that may be offered, with carrier and rates loaded (three queries)."""
    return list(
        ShippingMethod.objects.filter(is_active=True, carrier__is_active=True)
        .select_related("carrier")
        .prefetch_related("rates")
        .order_by("carrier__name", "name")
    )


def shop_rates(order: Order, shipment: Shipment, methods=None) -> RateShopping:
    """The methods that can carry this parcel, cheapest first, and the one to pre-select."""
    methods = active_methods() if methods is None else methods
    return rate_shop(
        methods,
        weight_grams=shipment.weight_grams,
        origin_country=shipment.warehouse.country,
        destination_country=order.shipping_address.country,
        subtotal=order.subtotal,
        currency=order.currency,
        ship_from=timezone.now(),
        ship_by=order.ship_by or timezone.now(),
        promise_by=promise_for(
            order.shipping_method,
            methods,
            ship_by=order.ship_by or timezone.now(),
            international=shipment.warehouse.country.upper()
            != order.shipping_address.country.upper(),
        ),
    )


def apply_quote(
    shipment: Shipment, order: Order, method: ShippingMethod, *, quote_: RateQuote | None = None
) -> None:
    """Set the parcel's method, cost and promised delivery (caller saves)."""
    found = quote_ or quote(
        method,
        weight_grams=shipment.weight_grams,
        origin_country=shipment.warehouse.country,
        destination_country=order.shipping_address.country,
        subtotal=order.subtotal,
        currency=order.currency,
        ship_from=timezone.now(),
    )
    if found is None:
        raise ShippingError(
            f"{method} cannot carry this parcel ({shipment.weight_grams / 1000:.2f} kg from "
            f"{shipment.warehouse.country} to {order.shipping_address.country}).",
            fields={"method": ["Choose a method that carries this parcel."]},
        )
    shipment.method = method
    shipment.cost = found.cost
    shipment.promised_at = found.promised_at
