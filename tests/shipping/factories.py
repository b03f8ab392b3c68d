"""Shipping test data: carriers, their methods and the methods' weight bands."""

from decimal import Decimal

import factory

from shipping.models import Carrier, Destination, ShippingMethod, ShippingRate


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"carrier{n}")
    name = factory.LazyAttribute(lambda carrier: carrier.code.title())
    adapter = "sandbox"
    tracking_url_template = "https://track.example.com/?n={tracking_number}"
    webhook_secret = "test-carrier-secret"
    is_active = True


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod
        django_get_or_create = ("code",)

    carrier = factory.SubFactory(CarrierFactory)
    code = factory.Sequence(lambda n: f"method{n}")
    name = factory.Sequence(lambda n: f"Method {n}")
    domestic = True
    international = False
    transit_days_domestic = 3
    transit_days_international = 7
    free_over = None
    max_weight_grams = None
    pickup_cutoff = None
    is_active = True


class ShippingRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingRate

    method = factory.SubFactory(ShippingMethodFactory)
    destination = Destination.DOMESTIC
    up_to_grams = 1000
    base = Decimal("5.00")
    per_kg = Decimal("0.00")
