"""Carrier adapters by name. `SHIPPING_CARRIERS` (settings) maps each name to its class; a
`Carrier` row names its adapter in `Carrier.adapter`."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from shipping.carriers.base import CarrierAdapter, LabelRequest, LabelResult, Party
from shipping.errors import UnknownCarrier


@cache
def _load(path: str) -> CarrierAdapter:
    return import_string(path)()


def carrier_adapter_codes() -> list[str]:
    return list(settings.SHIPPING_CARRIERS)


def get_carrier_adapter(code: str) -> CarrierAdapter:
    path = settings.SHIPPING_CARRIERS.get(code)
    if path is None:
        known = ", ".join(carrier_adapter_codes())
        raise UnknownCarrier(
            f"There is no carrier adapter {code!r}; known: {known}.",
            fields={"adapter": [f"Use one of: {known}."]},
        )
    return _load(path)


__all__ = [
    "CarrierAdapter",
    "LabelRequest",
    "LabelResult",
    "Party",
    "carrier_adapter_codes",
    "get_carrier_adapter",
]
