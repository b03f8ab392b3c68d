"""Pieces the inventory forms share: warehouse pickers, quantity fields, domain errors.

Warehouses are loaded once per request and handed to the forms, so a page with five forms and
six warehouse pickers still costs one warehouse query.
"""

from collections.abc import Sequence

from django import forms

from inventory.csv_import import MAX_QUANTITY
from inventory.models import Product, Warehouse
from oms.errors import DomainError


def warehouse_label(warehouse: Warehouse) -> str:
    label = f"{warehouse.code} — {warehouse.name}"
    return label if warehouse.is_active else f"{label} (inactive)"


class WarehouseChoiceField(forms.ChoiceField):
    """A warehouse picked by code from a list given to the form; cleans to the Warehouse."""

    def __init__(self, *, empty_label: str = "Choose…", **kwargs):
        self.empty_label = empty_label
        self.by_code: dict[str, Warehouse] = {}
        super().__init__(choices=(), **kwargs)

    def set_warehouses(self, warehouses: Sequence[Warehouse]) -> None:
        self.by_code = {warehouse.code: warehouse for warehouse in warehouses}
        self.choices = [("", self.empty_label)] + [
            (warehouse.code, warehouse_label(warehouse)) for warehouse in warehouses
        ]

    def clean(self, value):
        code = super().clean(value)
        return self.by_code.get(code) if code else None


class DomainErrorFormMixin:
    """Turn a service's refusal into form errors: field messages beside the field, the message
    on top of the form (unless a field already says the same)."""

    # A service's field name (after any "lines.<n>." prefix) → the field of this form.
    service_fields: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        placed = set()
        for key, messages in error.fields.items():
            name = key.rsplit(".", 1)[-1]
            name = self.service_fields.get(name, name)
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed.update(messages)
        if error.message not in placed:
            self.add_error(None, error.message)


# --- actions on the product page -------------------------------------------------------------


class StockActionForm(DomainErrorFormMixin, forms.Form):
    """One action on a product's stock. Each form's ids are prefixed with its action, so five of
    them can share a page."""

    action: str = ""
    title: str = ""
    submit_label: str = ""
    description: str = ""
    # Warehouse fields that offer active warehouses only (stock is not sent to a closed one).
    active_only: tuple[str, ...] = ()

    def __init__(
        self,
        data=None,
        *,
        warehouses: Sequence[Warehouse],
        product: Product | None = None,
        **kwargs,
    ):
        super().__init__(data, auto_id=f"{self.action}-%s", **kwargs)
        self.product = product
        for name, field in self.fields.items():
            if isinstance(field, WarehouseChoiceField):
                choices = warehouses
                if name in self.active_only:
                    choices = [warehouse for warehouse in warehouses if warehouse.is_active]
                field.set_warehouses(choices)

    @property
    def url_name(self) -> str:
        return f"inventory:product_{self.action}"

    def next_initial(self) -> dict:
        """After a success the form comes back blank, still on the warehouses just used."""
        return {
            name: value.code
            for name, value in self.cleaned_data.items()
            if isinstance(value, Warehouse)
        }


TOO_MANY = f"Enter at most {MAX_QUANTITY:,}."


def units_field(label: str, *, min_value: int, min_message: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=MAX_QUANTITY,
        error_messages={"min_value": min_message, "max_value": TOO_MANY},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def quantity_field() -> forms.IntegerField:
    return units_field("Quantity", min_value=1, min_message="Enter a quantity above zero.")


def note_field(**kwargs) -> forms.CharField:
    return forms.CharField(label="Note", max_length=500, required=False, **kwargs)
