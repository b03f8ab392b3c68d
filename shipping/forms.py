"""Back-office forms for shipping: they parse and validate; the views call the services."""

from django import forms
from django.http import QueryDict

from oms.dates import DayField
from orders.forms import DomainErrorForm
from shipping.models import ShipmentStatus
from shipping.selectors import ShipmentFilters


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _date_field(label: str) -> forms.DateField:
    return DayField(label=label, required=False)


class ShipmentFilterForm(forms.Form):
    """The shipments list's filters, all in the URL."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(choices=_blank("Any status", ShipmentStatus.choices), required=False)
    carrier = forms.ChoiceField(required=False)
    warehouse = forms.ChoiceField(required=False)
    created_from = _date_field("Created from")
    created_to = _date_field("Created to")
    shipped_from = _date_field("Shipped from")
    shipped_to = _date_field("Shipped to")
    exceptions = forms.BooleanField(label="Exceptions only", required=False)

    def __init__(self, data: QueryDict, *, carriers, warehouses, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["carrier"].choices = _blank("Any carrier", carriers)
        self.fields["warehouse"].choices = _blank("Any warehouse", warehouses)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Shipment, tracking or order number"}
        )

    def clean(self):
        data = super().clean()
        for start, end in (("created_from", "created_to"), ("shipped_from", "shipped_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, "Must be on or after the start date.")
        return data

    def filters(self) -> ShipmentFilters:
        """What the selector needs; a value that did not validate is left out."""
        data = getattr(self, "cleaned_data", {})
        return ShipmentFilters(
            status=data.get("status") or "",
            carrier=data.get("carrier") or "",
            warehouse=data.get("warehouse") or "",
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            shipped_from=data.get("shipped_from"),
            shipped_to=data.get("shipped_to"),
            exceptions_only=bool(data.get("exceptions")),
            q=(data.get("q") or "").strip(),
        )


class ShipmentIdsField(forms.Field):
    """The shipments ticked in the list (`shipments=12&shipments=15`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Select at least one shipment."}
    MAX = 100

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        texts = [str(text).strip() for text in values if str(text).strip()]
        bad = [text for text in texts if not (text.isascii() and text.isdigit())]
        if bad:
            raise forms.ValidationError(f"Not a shipment: {', '.join(bad[:5])}.")
        return list(dict.fromkeys(int(text) for text in texts))

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > self.MAX:
            raise forms.ValidationError(f"Select at most {self.MAX} shipments at a time.")


class BulkShipForm(forms.Form):
    shipments = ShipmentIdsField()

    @staticmethod
    def ticked(data: QueryDict) -> set[int]:
        """The ids that were ticked, whatever else was wrong (the list ticks them again)."""
        texts = (text.strip() for text in data.getlist("shipments"))
        return {int(text) for text in texts if text.isascii() and text.isdigit()}

    def error_messages_list(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class ShipForm(DomainErrorForm):
    """Mark a parcel shipped; a 3PL's or carrier's tracking number may be given."""

    tracking_number = forms.CharField(label="Tracking number", required=False, max_length=64)


class ShipmentCancelForm(DomainErrorForm):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        error_messages={"required": "Say why the shipment is cancelled."},
    )

    def __init__(self, *args, shipment_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # On the order page, the parcel whose cancel form this is (its errors show there).
        self.shipment_id = shipment_id
