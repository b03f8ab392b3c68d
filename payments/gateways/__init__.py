"""Payment gateways by name. `PAYMENT_GATEWAYS` (settings) maps each name to its class."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from payments.errors import UnknownGateway
from payments.gateways.base import Gateway, GatewayResult, Outcome


@cache
def _load(path: str) -> Gateway:
    return import_string(path)()


def gateway_codes() -> list[str]:
    return list(settings.PAYMENT_GATEWAYS)


def get_gateway(code: str) -> Gateway:
    path = settings.PAYMENT_GATEWAYS.get(code)
    if path is None:
        known = ", ".join(gateway_codes())
        raise UnknownGateway(
            f"There is no payment gateway {code!r}; known: {known}.",
            fields={"gateway": [f"Use one of: {known}."]},
        )
    return _load(path)


__all__ = ["Gateway", "GatewayResult", "Outcome", "gateway_codes", "get_gateway"]
