"""The gateway interface: the sandbox processor's rules and books, and any adapter as a drop-in."""

import uuid
from decimal import Decimal

import pytest

from payments.gateways import get_gateway
from payments.gateways.base import Gateway, Outcome, approved
from payments.models import Payment, PaymentStatus, PaymentTransaction, SandboxLedgerEntry
from payments.services import payment_authorize, payment_request_capture
from tests.payments.factories import order_paid_by, run_owed

pytestmark = pytest.mark.django_db


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def sandbox():
    return get_gateway("sandbox")


def _authorized(sandbox, amount="50.00", token="tok_visa"):
    result = sandbox.authorize(
        amount=Decimal(amount), currency="USD", token=token, idempotency_key=key()
    )
    assert result.approved
    return result.reference


def test_the_same_key_answers_the_same_and_moves_money_once(sandbox):
    authorization = _authorized(sandbox)
    capture_key = key()
    first = sandbox.capture(
        authorization=authorization,
        amount=Decimal("20"),
        currency="USD",
        idempotency_key=capture_key,
    )
    again = sandbox.capture(
        authorization=authorization,
        amount=Decimal("20"),
        currency="USD",
        idempotency_key=capture_key,
    )
    assert first.approved and again.approved
    assert again.reference == first.reference
    assert again.response["replayed"] is True
    assert SandboxLedgerEntry.objects.filter(operation="capture").count() == 1


def test_a_key_reused_for_another_amount_is_refused(sandbox):
    authorization = _authorized(sandbox)
    reused = key()
    sandbox.capture(
        authorization=authorization, amount=Decimal("20"), currency="USD", idempotency_key=reused
    )
    other = sandbox.capture(
        authorization=authorization, amount=Decimal("25"), currency="USD", idempotency_key=reused
    )
    assert (other.outcome, other.code) == (Outcome.DECLINED, "idempotency_key_reused")


def test_the_processor_never_captures_more_than_it_authorized(sandbox):
    authorization = _authorized(sandbox, "50.00")
    sandbox.capture(
        authorization=authorization, amount=Decimal("30"), currency="USD", idempotency_key=key()
    )
    over = sandbox.capture(
        authorization=authorization, amount=Decimal("20.01"), currency="USD", idempotency_key=key()
    )
    assert (over.outcome, over.code) == (Outcome.DECLINED, "amount_exceeds_authorization")
    voided = sandbox.void(
        authorization=authorization, amount=Decimal("20"), currency="USD", idempotency_key=key()
    )
    assert voided.approved
    nothing_left = sandbox.capture(
        authorization=authorization, amount=Decimal("0.01"), currency="USD", idempotency_key=key()
    )
    assert nothing_left.code == "amount_exceeds_authorization"


def test_the_processor_never_refunds_more_than_it_captured(sandbox):
    authorization = _authorized(sandbox)
    sandbox.capture(
        authorization=authorization, amount=Decimal("10"), currency="USD", idempotency_key=key()
    )
    over = sandbox.refund(
        authorization=authorization, amount=Decimal("10.01"), currency="USD", idempotency_key=key()
    )
    assert over.code == "amount_exceeds_captured"
    assert sandbox.refund(
        authorization=authorization, amount=Decimal("10"), currency="USD", idempotency_key=key()
    ).approved


@pytest.mark.parametrize(
    ("token", "code"),
    [("tok_declined", "card_declined"), ("tok_stolen", "invalid_token"), ("", "invalid_token")],
)
def test_declining_tokens(sandbox, token, code):
    result = sandbox.authorize(
        amount=Decimal("5"), currency="USD", token=token, idempotency_key=key()
    )
    assert (result.outcome, result.code) == (Outcome.DECLINED, code)
    assert result.reason


def test_insufficient_funds_authorizes_but_declines_the_capture(sandbox):
    authorization = _authorized(sandbox, token="tok_insufficient_funds")
    result = sandbox.capture(
        authorization=authorization, amount=Decimal("5"), currency="USD", idempotency_key=key()
    )
    assert (result.outcome, result.code) == (Outcome.DECLINED, "insufficient_funds")


def test_an_unknown_authorization_is_declined(sandbox):
    result = sandbox.capture(
        authorization="sbx_auth_nope", amount=Decimal("5"), currency="USD", idempotency_key=key()
    )
    assert result.code == "unknown_authorization"


class ApprovingAdapter(Gateway):
    """Stands in for a live processor's adapter: same interface, registered by name."""

    code = "acme"
    label = "Acme Payments"
    needs_token = True

    def authorize(self, *, amount, currency, token, idempotency_key):
        return approved(f"acme_auth_{idempotency_key[-8:]}")

    def capture(self, *, authorization, amount, currency, idempotency_key):
        return approved(f"acme_cap_{idempotency_key[-8:]}")

    def refund(self, *, authorization, amount, currency, idempotency_key):
        return approved(f"acme_ref_{idempotency_key[-8:]}")

    def void(self, *, authorization, amount, currency, idempotency_key):
        return approved(f"acme_void_{idempotency_key[-8:]}")


class RaisingAdapter(ApprovingAdapter):
    code = "broken"
    label = "Broken Payments"

    def authorize(self, *, amount, currency, token, idempotency_key):
        raise ConnectionError("connection reset by peer")


@pytest.fixture
def adapters(settings):
    settings.PAYMENT_GATEWAYS = {
        **settings.PAYMENT_GATEWAYS,
        "acme": f"{__name__}.ApprovingAdapter",
        "broken": f"{__name__}.RaisingAdapter",
    }


def test_an_adapter_registered_in_settings_is_a_drop_in(stock, web, adapters, support_user):
    order = order_paid_by({})
    payment_authorize(order=order, gateway="acme", token="pm_123", actor=support_user)
    run_owed()
    payment_request_capture(order=order, amount=Decimal("20.00"), reference="shipment:1")
    run_owed()
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.authorization_reference.startswith("acme_auth_")
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_an_adapter_that_raises_is_retried_then_failed_never_lost(
    stock, web, adapters, support_user, settings
):
    settings.PAYMENTS_MAX_ATTEMPTS = 3
    order = order_paid_by({})
    payment_authorize(order=order, gateway="broken", token="pm_123", actor=support_user)
    run_owed()
    txn = PaymentTransaction.objects.get()
    assert (txn.status, txn.attempts) == (PaymentTransaction.Status.FAILED, 3)
    assert "ConnectionError: connection reset by peer" in txn.error
    assert Payment.objects.get().status == PaymentStatus.FAILED
