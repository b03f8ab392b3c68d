"""Customers and the addresses given with each order."""

from django.db import models
from django.db.models.functions import Upper

from oms.models import TimeStampedModel
from oms.phones import normalize_phone


def normalize_name(*parts: str) -> str:
    """A name as the search compares it: lower-case, single spaces."""
    return " ".join(" ".join(parts).lower().split())


def with_derived(kwargs: dict, derived: tuple[str, ...]) -> dict:
    """`save()` keyword arguments that also write the `derived` columns when only some
    fields are saved (`update_fields`), so a derived column never lags what it derives from."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
    return kwargs


class Customer(TimeStampedModel):
    email = models.EmailField(unique=True, help_text="Stored lower-case; one customer per email.")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    # What the search matches on, kept by `save()` from the fields above: the phone's digits
    # (E.164 when the number names its country; `oms.phones`) and "first last" in lower case.
    # PostgreSQL indexes both for partial matches (migration 0009): the phone's reversed digits
    # for "ends with", the name and the email by trigram for "contains".
    phone_normalized = models.CharField(max_length=50, blank=True, default="", editable=False)
    name_normalized = models.CharField(max_length=201, blank=True, default="", editable=False)

    DERIVED_FIELDS = ("phone_normalized", "name_normalized")

    class Meta:
        ordering = ["email"]
        indexes = [
            models.Index(Upper("last_name"), name="customer_last_name_upper"),
            models.Index(Upper("first_name"), name="customer_first_name_upper"),
            models.Index(fields=["phone"], name="customer_phone"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.set_derived()
        super().save(*args, **with_derived(kwargs, self.DERIVED_FIELDS))

    def set_derived(self) -> None:
        """Fill the fields kept from the others; `save()` does, and so must a bulk insert."""
        self.phone_normalized = normalize_phone(self.phone)
        self.name_normalized = normalize_name(self.first_name, self.last_name)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Address(models.Model):
    """An address as given with one order (a snapshot: editing it never touches other orders)."""

    name = models.CharField(max_length=200, blank=True, default="")
    company = models.CharField(max_length=200, blank=True, default="")
    line1 = models.CharField(max_length=200, blank=True, default="")
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    # As given: anything but an ISO-3166 alpha-2 code holds the order `address_invalid`.
    country = models.CharField(max_length=60, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    # The phone as the search matches it, kept by `save()`: E.164 when the country is known
    # (`oms.phones.normalize_phone`), indexed on PostgreSQL by its reversed digits.
    phone_normalized = models.CharField(max_length=50, blank=True, default="", editable=False)

    FIELDS = ("name", "company", "line1", "line2", "city", "region", "postal_code", "country")
    FIELDS += ("phone",)

    def __str__(self) -> str:
        parts = [self.name, self.line1, self.city, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)

    def save(self, *args, **kwargs):
        self.set_derived()
        super().save(*args, **with_derived(kwargs, ("phone_normalized",)))

    def set_derived(self) -> None:
        """Fill the fields kept from the others; `save()` does, and so must a bulk insert."""
        self.phone_normalized = normalize_phone(self.phone, self.country)

    def as_dict(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}
