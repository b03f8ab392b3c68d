"""Customers and the addresses given with each order."""

from django.db import models
from django.db.models.functions import Upper

from oms.models import TimeStampedModel


class Customer(TimeStampedModel):
    email = models.EmailField(unique=True, help_text="Stored lower-case; one customer per email.")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["email"]
        indexes = [
            models.Index(Upper("last_name"), name="customer_last_name_upper"),
            models.Index(Upper("first_name"), name="customer_first_name_upper"),
            models.Index(fields=["phone"], name="customer_phone"),
        ]

    def __str__(self) -> str:
        return self.email

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

    FIELDS = ("name", "company", "line1", "line2", "city", "region", "postal_code", "country")
    FIELDS += ("phone",)

    def __str__(self) -> str:
        parts = [self.name, self.line1, self.city, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)

    def as_dict(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}
