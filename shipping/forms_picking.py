"""Forms of the pick-and-pack screens: they parse and validate; the views call the services."""

import re

from django import forms

from inventory.models import Warehouse
from orders.forms import OrderNumbersField

# Order and pick-list numbers as printed (SO-000042, PL-000007); a scanner may send any case.
BATCH_NUMBER = re.compile(r"^(SO|PL)-\d+$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;]+")
NEXT_COUNT_MAX = 100


class OrderNumbersText(forms.Textarea):
    """Order numbers typed or pasted (any separator), or ticked in a queue (`orders` posted
    once per order): either way one text, one number per line."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        return "\n".join(value for value in values if value)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return super().format_value(value)


class TypedOrderNumbersField(OrderNumbersField):
    widget = OrderNumbersText

    def to_python(self, value) -> list[str]:
        if isinstance(value, str):
            value = _SEPARATORS.split(value)
        return super().to_python(value)


class _WarehouseChoice(forms.ModelChoiceField):
    def label_from_instance(self, warehouse: Warehouse) -> str:
        return f"{warehouse.code} — {warehouse.name}"


def _warehouses(**kwargs) -> _WarehouseChoice:
    return _WarehouseChoice(
        queryset=Warehouse.objects.active().order_by("priority", "code"),
        to_field_name="code",
        **kwargs,
    )


class PickOrdersForm(forms.Form):
    """A pick list for these orders (typed here, or ticked in the Ready queue)."""

    orders = TypedOrderNumbersField(
        label="Order numbers", help_text="One per line, or separated by spaces or commas."
    )
    warehouse = _warehouses(
        label="Pick at",
        required=False,
        empty_label="Wherever each order is allocated",
        help_text="Orders allocated in two warehouses get a pick list in each.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="pick_orders_%s", **kwargs)
        self.fields["orders"].widget.attrs.update(
            {"rows": 4, "placeholder": "SO-000123\nSO-000124", "spellcheck": "false"}
        )


class PickNextForm(forms.Form):
    """A pick list for the next ready orders at one warehouse, soonest ship-by first."""

    warehouse = _warehouses(label="Warehouse", empty_label=None)
    count = forms.IntegerField(
        label="How many orders", min_value=1, max_value=NEXT_COUNT_MAX, initial=10
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="pick_next_%s", **kwargs)


class PackScanForm(forms.Form):
    """One scan at the packing station, with the station's state and the open parcel's
    packing choices (weight, method) as they stand on screen."""

    code = forms.CharField(required=False, max_length=64)
    # The batch (PL-… or SO-…) and the parcel (SH-…) the station has open.
    batch = forms.CharField(required=False, max_length=20)
    parcel = forms.CharField(required=False, max_length=20)
    weight_grams = forms.IntegerField(
        label="Weight (g)", required=False, min_value=1, max_value=1_000_000
    )
    method = forms.IntegerField(required=False, min_value=1)
    # Stop when the last unit is scanned, to weigh the parcel or change the method first.
    review = forms.BooleanField(
        label="Stop after the last item, to weigh the parcel before completing", required=False
    )
    intent = forms.ChoiceField(
        required=False,
        choices=[("scan", "Scan"), ("complete", "Complete"), ("complete_partial", "Partial")],
    )
    # A parcel whose label the carrier refused: ask again.
    label_retry = forms.IntegerField(required=False, min_value=1)

    @property
    def batch_number(self) -> str:
        """The scanned order or pick-list number, upper-cased; "" when an item was scanned."""
        code = self.cleaned_data.get("code", "")
        return code.upper() if BATCH_NUMBER.match(code) else ""
