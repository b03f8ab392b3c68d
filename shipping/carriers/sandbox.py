"""A carrier simulator, for development, demos and tests — behind the real interface.

It keeps no books and needs none: a tracking number is derived from the request's idempotency
key, so the same key always gets the same number back (idempotent without a table, in any
process), and different keys get different numbers.

Tracking numbers are `SBX`, ten digits, and a check digit: the ten digits come from a SHA-256 of
the idempotency key; the check digit is the Luhn (mod-10) digit of those ten, the scheme card
numbers use — from the right, every second digit starting with the last one is doubled (9 is
subtracted when that exceeds 9), and the check digit brings the sum up to a multiple of ten. A
mistyped digit or two swapped neighbours fail `tracking_number_valid`.

Test parcels:
- heavier than 30 kg — declined, `too_heavy`;
- a ship-to address without a postal code — declined, `no_postal_code`;
- a ship-to postal code `99999` — the carrier is down for this area: every request fails with a
  transient error (a retry never helps; the worker's retries run out and the shipment shows it).
Declines are decided first: a parcel the carrier will never take fails at once, not after
every retry.
"""

import hashlib
import re

from shipping.carriers.base import (
    CarrierAdapter,
    LabelRequest,
    LabelResult,
    approved,
    declined,
    transient_error,
)

PREFIX = "SBX"
MAX_WEIGHT_GRAMS = 30_000
DOWN_POSTAL_CODE = "99999"
_TRACKING_NUMBER = re.compile(rf"{PREFIX}(\d{{10}})(\d)")


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 0:  # these are doubled once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def tracking_number_for(idempotency_key: str) -> str:
    """The sandbox's tracking number for a request with this key (always the same one)."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    digits = f"{int.from_bytes(digest[:8], 'big') % 10**10:010d}"
    return f"{PREFIX}{digits}{luhn_check_digit(digits)}"


class SandboxCarrier(CarrierAdapter):
    code = "sandbox"
    label = "Sandbox carrier"

    def create_label(self, request: LabelRequest) -> LabelResult:
        if request.weight_grams > MAX_WEIGHT_GRAMS:
            return declined(
                "too_heavy",
                f"The parcel is too heavy: {request.weight_grams / 1000:g} kg; "
                f"this carrier takes at most {MAX_WEIGHT_GRAMS // 1000} kg.",
            )
        postal_code = request.ship_to.postal_code.strip()
        if not postal_code:
            return declined("no_postal_code", "The ship-to address has no postal code.")
        if postal_code == DOWN_POSTAL_CODE:
            return transient_error(
                f"The carrier is down for this area (postal code {DOWN_POSTAL_CODE}); "
                "try again later."
            )
        tracking_number = tracking_number_for(request.idempotency_key)
        return approved(
            tracking_number,
            carrier=self.code,
            shipment=request.shipment_number,
            idempotency_key=request.idempotency_key,
        )

    def tracking_number_valid(self, number: str) -> bool:
        """`SBX` + 11 digits whose last is the Luhn check digit; spaces and case forgiven."""
        match = _TRACKING_NUMBER.fullmatch((number or "").strip().upper())
        return bool(match) and luhn_check_digit(match[1]) == match[2]
