"""A card processor simulator, for development, demos and tests — behind the real interface.

It keeps its own books (`SandboxRequest`, `SandboxLedgerEntry`) in transactions of its own, like
a processor whose records the OMS cannot roll back, and honours idempotency keys: a key it has
answered before gets the same answer again and moves no money.

Test tokens:
- `tok_visa` (and `tok_mastercard`) — approved.
- `tok_declined` — the authorization is declined (`card_declined`).
- `tok_insufficient_funds` — authorizes, but every capture is declined (`insufficient_funds`).
- `tok_flaky` — each operation fails with a transient error twice, then succeeds.
Any other token is declined as `invalid_token`.

`PAYMENTS_SANDBOX_RESPONSE_DELAY` (seconds) makes the processor slow to answer *after* it has
moved the money — a lost or late response, the case idempotency keys exist for.
"""

import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from payments.gateways.base import (
    Gateway,
    GatewayResult,
    Outcome,
    declined,
    transient_error,
)
from payments.models import SandboxLedgerEntry, SandboxRequest
from payments.models.sandbox import SandboxOutcome

APPROVING_TOKENS = ("tok_visa", "tok_mastercard", "tok_flaky", "tok_insufficient_funds")
DECLINED_TOKEN = "tok_declined"
INSUFFICIENT_FUNDS_TOKEN = "tok_insufficient_funds"
FLAKY_TOKEN = "tok_flaky"
FLAKY_FAILURES = 2
PREFIXES = {"authorize": "auth", "capture": "cap", "refund": "ref", "void": "void"}

# (approved, decline code, decline reason)
Decision = tuple[bool, str, str]


def _approve() -> Decision:
    return True, "", ""


def _decline(code: str, reason: str) -> Decision:
    return False, code, reason


class SandboxGateway(Gateway):
    code = "sandbox"
    label = "Sandbox card processor"
    needs_token = True

    # --- the four operations --------------------------------------------------------------

    def authorize(self, *, amount, currency, token, idempotency_key) -> GatewayResult:
        def decide(_authorization) -> Decision:
            if token == DECLINED_TOKEN:
                return _decline("card_declined", "The card was declined.")
            if token not in APPROVING_TOKENS:
                return _decline("invalid_token", f"Unknown card token {token!r}.")
            if amount <= 0:
                return _decline("invalid_amount", "The amount must be above zero.")
            return _approve()

        return self._handle(
            "authorize",
            idempotency_key,
            token=token,
            authorization="",
            amount=amount,
            currency=currency,
            decide=decide,
        )

    def capture(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        def decide(auth: SandboxLedgerEntry) -> Decision:
            if auth.token == INSUFFICIENT_FUNDS_TOKEN:
                return _decline("insufficient_funds", "Insufficient funds on the card.")
            if amount > self._open(auth):
                return _decline(
                    "amount_exceeds_authorization",
                    f"Capture of {amount} exceeds the {self._open(auth)} still authorized.",
                )
            return _approve()

        return self._on_authorization(
            "capture", authorization, amount, currency, idempotency_key, decide
        )

    def refund(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        def decide(auth: SandboxLedgerEntry) -> Decision:
            refundable = self._moved(auth, "capture") - self._moved(auth, "refund")
            if amount > refundable:
                return _decline(
                    "amount_exceeds_captured",
                    f"Refund of {amount} exceeds the {refundable} captured and not refunded.",
                )
            return _approve()

        return self._on_authorization(
            "refund", authorization, amount, currency, idempotency_key, decide
        )

    def void(self, *, authorization, amount, currency, idempotency_key) -> GatewayResult:
        def decide(auth: SandboxLedgerEntry) -> Decision:
            if amount > self._open(auth):
                return _decline(
                    "amount_exceeds_authorization",
                    f"Void of {amount} exceeds the {self._open(auth)} still authorized.",
                )
            return _approve()

        return self._on_authorization(
            "void", authorization, amount, currency, idempotency_key, decide
        )

    # --- the processor's books ------------------------------------------------------------

    @staticmethod
    def _moved(auth: SandboxLedgerEntry, operation: str) -> Decimal:
        total = SandboxLedgerEntry.objects.filter(
            authorization=auth.reference, operation=operation, approved=True
        ).aggregate(total=Sum("amount"))["total"]
        return total or Decimal("0")

    def _open(self, auth: SandboxLedgerEntry) -> Decimal:
        return auth.amount - self._moved(auth, "capture") - self._moved(auth, "void")

    def _on_authorization(
        self, operation, authorization, amount, currency, idempotency_key, decide
    ) -> GatewayResult:
        auth = SandboxLedgerEntry.objects.filter(
            reference=authorization, operation="authorize", approved=True
        ).first()
        token = auth.token if auth else ""

        def checked(locked_auth) -> Decision:
            if locked_auth is None:
                return _decline("unknown_authorization", f"No authorization {authorization!r}.")
            if amount <= 0:
                return _decline("invalid_amount", "The amount must be above zero.")
            return decide(locked_auth)

        return self._handle(
            operation,
            idempotency_key,
            token=token,
            authorization=authorization,
            amount=amount,
            currency=currency,
            decide=checked,
        )

    def _handle(
        self,
        operation: str,
        idempotency_key: str,
        *,
        token: str,
        authorization: str,
        amount: Decimal,
        currency: str,
        decide: Callable[[SandboxLedgerEntry | None], Decision],
    ) -> GatewayResult:
        request = {
            "operation": operation,
            "idempotency_key": idempotency_key,
            "token": token,
            "authorization": authorization,
            "amount": amount,
            "currency": currency,
        }
        earlier = SandboxLedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return self._replay(earlier, request)
        if token == FLAKY_TOKEN and self._transient_count(idempotency_key) < FLAKY_FAILURES:
            SandboxRequest.objects.create(**request, outcome=SandboxOutcome.TRANSIENT_ERROR)
            return transient_error("The processor timed out; try again.")
        try:
            with transaction.atomic():
                auth = None
                if authorization:
                    # Two operations on one authorization are decided one after the other.
                    auth = (
                        SandboxLedgerEntry.objects.select_for_update()
                        .filter(reference=authorization, operation="authorize", approved=True)
                        .first()
                    )
                is_approved, code, reason = decide(auth)
                entry = SandboxLedgerEntry.objects.create(
                    operation=operation,
                    idempotency_key=idempotency_key,
                    reference=f"sbx_{PREFIXES[operation]}_{uuid.uuid4().hex[:16]}",
                    authorization=authorization,
                    token=token,
                    amount=amount,
                    currency=currency,
                    approved=is_approved,
                    decline_code=code,
                    decline_reason=reason,
                )
                SandboxRequest.objects.create(
                    **request,
                    outcome=SandboxOutcome.APPROVED if is_approved else SandboxOutcome.DECLINED,
                )
        except IntegrityError:
            # The same key arrived twice at once; the other request's answer is the answer.
            earlier = SandboxLedgerEntry.objects.get(idempotency_key=idempotency_key)
            return self._replay(earlier, request)
        delay = settings.PAYMENTS_SANDBOX_RESPONSE_DELAY
        if delay:
            # The money has moved; the answer is slow to come back (or never does).
            time.sleep(delay)
        return self._result(entry)

    @staticmethod
    def _transient_count(idempotency_key: str) -> int:
        return SandboxRequest.objects.filter(
            idempotency_key=idempotency_key, outcome=SandboxOutcome.TRANSIENT_ERROR
        ).count()

    def _replay(self, entry: SandboxLedgerEntry, request: dict) -> GatewayResult:
        if entry.operation != request["operation"] or entry.amount != request["amount"]:
            SandboxRequest.objects.create(**request, outcome=SandboxOutcome.DECLINED, replayed=True)
            return declined(
                "idempotency_key_reused",
                "This idempotency key was used for a different request.",
            )
        SandboxRequest.objects.create(
            **request,
            outcome=SandboxOutcome.APPROVED if entry.approved else SandboxOutcome.DECLINED,
            replayed=True,
        )
        return self._result(entry, replayed=True)

    @staticmethod
    def _result(entry: SandboxLedgerEntry, *, replayed: bool = False) -> GatewayResult:
        response = {
            "id": entry.reference,
            "operation": entry.operation,
            "amount": str(entry.amount),
            "currency": entry.currency,
            "replayed": replayed,
        }
        if entry.approved:
            return GatewayResult(Outcome.APPROVED, reference=entry.reference, response=response)
        return GatewayResult(
            Outcome.DECLINED,
            reference=entry.reference,
            code=entry.decline_code,
            reason=entry.decline_reason,
            response={**response, "decline_code": entry.decline_code},
        )
