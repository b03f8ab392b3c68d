"""The one small interface every payment gateway implements.

Four operations — authorize, capture, refund, void — each carrying an idempotency key that the
gateway must honour (the same key never moves money twice, however often it is sent) and each
answering with a `GatewayResult`: approved, declined with a reason, or a transient error worth
retrying. A live processor's adapter implements the same class and is registered by name in
`PAYMENT_GATEWAYS`; nothing else in the OMS changes.

Gateways are called outside any database transaction (`payments.services.execution`), except
the *offline* ones (`offline = True`: cash, bank transfers, the marketplace) whose operations
only record money that moved elsewhere and so are answered at once, inside the caller's
transaction.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    TRANSIENT_ERROR = "transient_error"


@dataclass(frozen=True)
class GatewayResult:
    outcome: Outcome
    # The gateway's id for this operation; for an authorization, what later operations name.
    reference: str = ""
    # Machine-readable decline or error code ("card_declined", "insufficient_funds") …
    code: str = ""
    # … and what a person reads on the timeline.
    reason: str = ""
    # The raw answer, kept on the transaction for support and audits.
    response: dict = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.outcome == Outcome.APPROVED

    @property
    def declined(self) -> bool:
        return self.outcome == Outcome.DECLINED

    @property
    def transient(self) -> bool:
        return self.outcome == Outcome.TRANSIENT_ERROR


def approved(reference: str, **response) -> GatewayResult:
    return GatewayResult(Outcome.APPROVED, reference=reference, response=response)


def declined(code: str, reason: str, **response) -> GatewayResult:
    return GatewayResult(Outcome.DECLINED, code=code, reason=reason, response=response)


def transient_error(reason: str, **response) -> GatewayResult:
    return GatewayResult(
        Outcome.TRANSIENT_ERROR, code="transient_error", reason=reason, response=response
    )


class Gateway(ABC):
    code: str = ""
    label: str = ""
    # Offline gateways record money that moved elsewhere; their calls never leave the process.
    offline: bool = False
    # Whether cancelling an order gives captured money back through this gateway by itself.
    # Cash and marketplace money is returned by a person (or on the channel) and then recorded.
    refunds_on_cancel: bool = True
    # Whether a payment through it needs a token from the customer's checkout.
    needs_token: bool = False

    @abstractmethod
    def authorize(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> GatewayResult:
        """Reserve `amount` on the customer's payment method."""

    @abstractmethod
    def capture(
        self, *, authorization: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Take `amount` of an authorization."""

    @abstractmethod
    def refund(
        self, *, authorization: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Give back `amount` of what was captured under an authorization."""

    @abstractmethod
    def void(
        self, *, authorization: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Release `amount` of an authorization uncaptured."""
