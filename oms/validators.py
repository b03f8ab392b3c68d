"""Rules for values every app accepts: one definition each, for services, forms and the API.

- Text: no NUL (PostgreSQL cannot store it), no lone surrogate (not encodable as UTF-8), and no
  other control character but tab, line feed and carriage return (`text_problem`).
- Codes — warehouse, channel and carrier codes — are ASCII letters, digits, `-` and `_`
  (`validate_code`): they are path segments of URLs (`/api/v1/channels/<code>/…`).
- References — SKUs and a channel's external order ids — are visible ASCII characters, no
  spaces (`validate_reference`): letters, digits and punctuation such as `- _ . / # +`.
- A country is an ISO 3166-1 alpha-2 code: two ASCII letters, stored and compared upper-case.
  People and channels type it in either case; `normalize_country` is how it is stored.
- A currency is an ISO 4217 code (`oms.currencies`), likewise stored upper-case.
- A date-time is ISO 8601, read as UTC without an offset (`parse_moment`).
"""

import re
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime

from oms.currencies import ISO_4217_CURRENCIES

# --- text -----------------------------------------------------------------------------------

NUL_MESSAGE = "Null characters are not allowed."
CONTROL_CHARACTER_MESSAGE = "Control characters are not allowed (tab and line breaks are)."
SURROGATE_MESSAGE = "Unpaired surrogate characters are not allowed."
# Unicode's control characters (category Cc) but tab, line feed and carriage return.
_CONTROL_CHARACTER = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Only a malformed JSON escape (a lone "\ud800") produces one.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be accepted as text, or None when it can."""
    if "\x00" in value:
        return NUL_MESSAGE
    if _CONTROL_CHARACTER.search(value):
        return CONTROL_CHARACTER_MESSAGE
    if _SURROGATE.search(value):
        return SURROGATE_MESSAGE
    return None


def first_non_text(value: str) -> int | None:
    """Where in `value` the first character `text_problem` refuses is, or None."""
    match = _NOT_TEXT.search(value)
    return match.start() if match else None


def escape_non_text(value: str) -> str:
    """`value` fit to show in a message: what `text_problem` refuses written as `\\u0000`."""
    return _NOT_TEXT.sub(lambda match: f"\\u{ord(match[0]):04x}", value)


def validate_text(value) -> None:
    """A Django validator (forms, models, DRF fields) for `text_problem`."""
    problem = text_problem(str(value))
    if problem:
        raise ValidationError(problem, code="invalid")


# --- identifiers ----------------------------------------------------------------------------

CODE = re.compile(r"[A-Za-z0-9_-]+")
CODE_MESSAGE = "Use letters (A–Z), digits, hyphens (-) and underscores (_) only."
REFERENCE = re.compile(r"[!-~]+")
REFERENCE_MESSAGE = (
    "Use letters (A–Z), digits and ASCII punctuation such as - _ . / # + only, no spaces."
)


def is_code(value) -> bool:
    return isinstance(value, str) and CODE.fullmatch(value) is not None


def validate_code(value) -> None:
    """A warehouse, channel or carrier code (see the module docstring)."""
    if not is_code(value):
        raise ValidationError(CODE_MESSAGE, code="invalid")


def is_reference(value) -> bool:
    return isinstance(value, str) and REFERENCE.fullmatch(value) is not None


def validate_reference(value) -> None:
    """A SKU or an external order id (see the module docstring)."""
    if not is_reference(value):
        raise ValidationError(REFERENCE_MESSAGE, code="invalid")


# --- countries and currencies ---------------------------------------------------------------

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


CURRENCY_CODE_MESSAGE = "Use the three-letter ISO 4217 currency code, e.g. USD or EUR."


def normalize_currency(value) -> str:
    """`value` as stored: stripped and upper-case ("" for None)."""
    return str(value or "").strip().upper()


def is_currency_code(value) -> bool:
    """Whether `value`, stripped, is an ISO 4217 currency code in either case."""
    text = str(value or "").strip()
    return text.isascii() and text.upper() in ISO_4217_CURRENCIES


def validate_currency_code(value) -> None:
    """A Django validator (forms, models, DRF fields) for `is_currency_code`."""
    if not is_currency_code(value):
        raise ValidationError(CURRENCY_CODE_MESSAGE, code="invalid")


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


# --- date-times -----------------------------------------------------------------------------


def parse_moment(value) -> datetime | None:
    """An ISO 8601 date-time, or a date read as its midnight, as an aware datetime in UTC;
    without an offset it is UTC. None when `value` is not one: unreadable, impossible (year
    0000, 30 February), or outside years 1 to 9999 once in UTC (no datetime holds it)."""
    text = str(value or "").strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            parsed = datetime.combine(day, datetime.min.time()) if day else None
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None
