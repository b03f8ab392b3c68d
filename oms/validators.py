"""Rules for values every app accepts: one definition each, for services, forms and the API.

A country is an ISO 3166-1 alpha-2 code: two ASCII letters, stored and compared upper-case.
People and channels type it in either case; `normalize_country` is how it is stored.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

# A stored (normalised) country code.
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
COUNTRY_CODE_MESSAGE = "Use the two-letter ISO country code, e.g. US or DE."


def normalize_country(value) -> str:
    """`value` as stored: stripped and upper-case ("" for None)."""
    return str(value or "").strip().upper()


def is_country_code(value) -> bool:
    """Whether `value`, stripped, is two ASCII letters in either case."""
    text = str(value or "").strip()
    # ASCII first: "ß".upper() is "SS", which would pass for a code.
    return text.isascii() and COUNTRY_CODE.fullmatch(text.upper()) is not None


def validate_country_code(value) -> None:
    """A Django validator (forms, models, DRF fields) for `is_country_code`."""
    if not is_country_code(value):
        raise ValidationError(COUNTRY_CODE_MESSAGE, code="invalid")


class CountryCodeField(forms.CharField):
    """A form field for a country code in either case, cleaned to its stored form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)
        # After the length check, so "Britain" is told its length first.
        self.validators.append(validate_country_code)

    def clean(self, value) -> str:
        # Normalised only after validation, so the check sees what the person typed.
        return normalize_country(super().clean(value))


def without_nul(value, replacement: str = "\ufffd"):
    """`value` (parsed JSON) with every NUL character in its strings and keys replaced.

    PostgreSQL cannot store NUL in text or JSON; inbound payloads are kept as received (an
    inbox), so NUL is swapped for U+FFFD there instead of failing the whole delivery.
    """
    if isinstance(value, str):
        return value.replace("\x00", replacement)
    if isinstance(value, list):
        return [without_nul(item, replacement) for item in value]
    if isinstance(value, dict):
        return {
            without_nul(key, replacement): without_nul(item, replacement)
            for key, item in value.items()
        }
    return value
