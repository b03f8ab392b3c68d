"""The sandbox card processor's own books: what it was asked, and the money it moved.

These tables belong to the simulated processor, not to the OMS: `payments.gateways.sandbox`
writes them in transactions of its own, the way a real processor keeps records we cannot roll
back. Tests read them to prove what "the bank" saw — for example that a capture retried after
a crash charged the customer exactly once.
"""

from django.db import models
from django.db.models import Q

from oms.money import MONEY


class SandboxOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    TRANSIENT_ERROR = "transient_error", "Transient error"


class SandboxRequest(models.Model):
    """Every request that reached the processor, including the ones it failed to answer."""

    operation = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=100, db_index=True)
    token = models.CharField(max_length=200, blank=True, default="")
    authorization = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=20, choices=SandboxOutcome.choices)
    # True when the answer was a replay of an earlier request with the same key.
    replayed = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.operation} {self.amount} {self.currency}: {self.outcome}"


class SandboxLedgerEntry(models.Model):
    """One final answer per idempotency key; the approved ones are money the processor moved."""

    operation = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=100, unique=True)
    # The processor's id for this entry ("sbx_auth_…", "sbx_cap_…"); an authorization's id is
    # what its captures, refunds and voids name in `authorization`.
    reference = models.CharField(max_length=100, unique=True)
    authorization = models.CharField(max_length=100, blank=True, default="", db_index=True)
    token = models.CharField(max_length=200, blank=True, default="")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    approved = models.BooleanField()
    decline_code = models.CharField(max_length=50, blank=True, default="")
    decline_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="sandbox_ledger_amount_non_negative"
            )
        ]

    def __str__(self) -> str:
        verdict = "approved" if self.approved else f"declined ({self.decline_code})"
        return f"{self.reference}: {self.operation} {self.amount} {self.currency} {verdict}"
