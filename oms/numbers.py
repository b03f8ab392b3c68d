"""Numbers from outside: how digits are read, and the largest figure each column holds.

- Digits of any script are read as their value: "١٠" and "１０" are 10, as Python's `int`
  and `Decimal` and therefore every Django and DRF number field read them. `whole_number`
  reads text the same way for the doors that parse by hand (CSV cells, the scanner screens).
  Signs that only look like digits (superscripts, circled numbers) are not digits anywhere.
- `column_max` is the largest value a numeric column holds, read from its definition; every
  door checks figures against it (or a smaller business limit), so an absurd number is a
  clear 400 and never a database error. Money has its own module, `oms.money`.
"""

import unicodedata
from decimal import Decimal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations


def column_max(model: type[models.Model], field_name: str) -> int | Decimal:
    """The largest value `model.field_name` holds on every database the OMS runs on.

    Integer ranges are Django's portable ones (PostgreSQL's); SQLite would store more.
    """
    field = model._meta.get_field(field_name)
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        return Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()][1]


def whole_number(text: str, *, maximum: int) -> int | None:
    """`text` — decimal digits of any one or several scripts, nothing else — as a whole
    number of 0 or more, or None. Anything above `maximum` reads as `maximum + 1`, so a run of
    10,000 digits is never converted (nor refused by Python's limit on long conversions)."""
    if not text.isdecimal():
        return None
    digits = "".join(str(unicodedata.decimal(character)) for character in text).lstrip("0")
    if len(digits) > len(str(maximum)):
        return maximum + 1
    return min(int(digits or "0"), maximum + 1)
