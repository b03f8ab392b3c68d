"""Gateways that record money which moved outside the OMS: cash and transfers, the marketplace.

Their operations never fail and never leave the process: staff confirm the money changed hands
(or the channel says so), and the OMS writes it down.
"""

from decimal import Decimal

from payments.gateways.base import Gateway, GatewayResult, approved


class _RecordingGateway(Gateway):
    offline = True
    refunds_on_cancel = False
    prefix = ""

    def _recorded(self, operation: str, idempotency_key: str, amount: Decimal) -> GatewayResult:
        return approved(
            f"{self.prefix}_{operation[:4]}_{idempotency_key[-12:]}",
            operation=operation,
            amount=str(amount),
            recorded=True,
        )

    def authorize(self, *, amount, currency, token, idempotency_key) -> GatewayResult:
        return self._recorded("authorize", idempotency_key, amount)

    def capture(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        return self._recorded("capture", idempotency_key, amount)

    def refund(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        return self._recorded("refund", idempotency_key, amount)

    def void(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        return self._recorded("void", idempotency_key, amount)


class ManualGateway(_RecordingGateway):
    """Cash, bank transfer or cash on delivery, received (or paid back) by staff."""

    code = "manual"
    label = "Manual (cash, transfer, COD)"
    prefix = "man"


class MarketplaceGateway(_RecordingGateway):
    """The channel took the money (Shopify Payments, a marketplace); the OMS records it."""

    code = "marketplace"
    label = "Marketplace"
    prefix = "mkt"
