"""Orders test data. Orders are made through `order_capture`, like production makes them."""

from decimal import Decimal

import factory

from orders.models import SalesChannel
from orders.services import AddressData, CaptureRequest, LineData, order_capture

_external_ids = iter(range(1, 10**9))


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"web{n}")
    name = factory.LazyAttribute(lambda channel: f"{channel.code.title()} store")
    kind = SalesChannel.Kind.WEB
    currency = "USD"
    sla_hours = 48
    webhook_secret = "test-secret"


def address(**overrides) -> AddressData:
    values = {
        "name": "Ada Lovelace",
        "line1": "12 Analytical Row",
        "city": "Newark",
        "region": "NJ",
        "postal_code": "07114",
        "country": "US",
        "phone": "+1 555 0100",
    }
    values.update(overrides)
    return AddressData(**values)


def capture_request(lines, **overrides) -> CaptureRequest:
    """`lines` is [(sku, quantity)] or [(sku, quantity, unit_price)]."""
    values = {
        "external_id": f"EXT-{next(_external_ids)}",
        "currency": "USD",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "lines": [
            LineData(
                sku=line[0],
                quantity=line[1],
                unit_price=Decimal(line[2] if len(line) > 2 else "10.00"),
            )
            for line in lines
        ],
        "shipping_address": address(),
    }
    values.update(overrides)
    return CaptureRequest(**values)


def capture(channel, lines, *, source="api", actor=None, **overrides):
    return order_capture(
        channel=channel, request=capture_request(lines, **overrides), source=source, actor=actor
    )
