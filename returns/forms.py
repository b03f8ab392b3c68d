"""Back-office forms for returns: they parse and validate; the views call the services.

What may be returned, received or refunded is the services' decision: the forms check only that
the input is well formed (whole numbers, amounts, a reason where units are named), and put a
service's refusal beside the field it names (`lines.0.quantity` is the first line *sent*, so
each form remembers which of its rows it sent, in order).
"""

from django import forms
from django.http import QueryDict

from inventory.models import Warehouse
from oms.errors import DomainError
from oms.money import MAX_MONEY, MONEY
from orders.forms import DomainErrorForm
from returns.models import Condition, Resolution, ReturnLine, ReturnReason
from returns.selectors_backoffice import OPEN, TABS, ReturnFilters
from returns.services import ExchangeLineData, ReceivedUnits, ReturnLineData
from returns.services.requests import MAX_RETURN_QUANTITY

MAX_AGE_DAYS = 3650


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class _WarehouseChoice(forms.ModelChoiceField):
    def label_from_instance(self, warehouse: Warehouse) -> str:
        return f"{warehouse.code} — {warehouse.name}"


def _warehouses(**kwargs) -> _WarehouseChoice:
    return _WarehouseChoice(
        queryset=Warehouse.objects.active().order_by("priority", "code"),
        to_field_name="code",
        required=False,
        **kwargs,
    )


class LineErrorsForm(DomainErrorForm):
    """A form with one row per line, whose service errors name lines by their position in the
    list it sent (`lines.<n>.<field>`): each goes beside that row's own field."""

    line_fields: dict[str, str] = {}  # service field → this form's field prefix

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[int] = []  # the ids of the rows sent to the service, in order

    def add_domain_error(self, error: DomainError) -> None:
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(self._field_for(name), message)

    def _field_for(self, name: str) -> str | None:
        """This form's field for a service field name; None (the whole form) when none fits."""
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            index, field = int(parts[1]), self.line_fields.get(parts[2])
            if field and index < len(self.sent):
                return f"{field}_{self.sent[index]}"
        return name if name in self.fields else None


# --- the queue ------------------------------------------------------------------------------


class ReturnFilterForm(forms.Form):
    """The returns queue's filters, all in the URL."""

    status = forms.ChoiceField(choices=list(TABS.items()), required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)
    reason = forms.ChoiceField(choices=_blank("Any reason", ReturnReason.choices), required=False)
    older_than = forms.IntegerField(
        label="Older than (days)", required=False, min_value=1, max_value=MAX_AGE_DAYS
    )

    def __init__(self, data: QueryDict, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "RMA number, order number or email"}
        )
        self.fields["older_than"].widget.attrs.update({"inputmode": "numeric", "min": 1})

    def filters(self) -> ReturnFilters:
        """What the selector needs; a value that did not validate is left out."""
        data = getattr(self, "cleaned_data", {})
        return ReturnFilters(
            status=data.get("status") or OPEN,
            reason=data.get("reason") or "",
            older_than_days=data.get("older_than"),
            q=(data.get("q") or "").strip(),
        )


# --- starting a return ----------------------------------------------------------------------


class StartReturnForm(LineErrorsForm):
    """A new return for an order: per shipped line, how many units come back and why; refund
    or exchange (with what is wanted instead); the customer's words."""

    line_fields = {"quantity": "quantity", "sku": "quantity", "reason": "reason"}

    resolution = forms.ChoiceField(
        label="Resolution",
        choices=Resolution.choices,
        initial=Resolution.REFUND,
        widget=forms.RadioSelect,
    )
    exchange_sku = forms.CharField(
        label="Replacement SKU",
        required=False,
        max_length=64,
        help_text="Empty: the same items again.",
    )
    exchange_quantity = forms.IntegerField(
        label="Replacement quantity", required=False, min_value=1, max_value=MAX_RETURN_QUANTITY
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the customer said.",
    )

    def __init__(self, data=None, *, returnable: list[tuple], preselected: int | None = None, **kw):
        """`returnable`: (order line, units it may still return) for each shipped line."""
        kw.setdefault("auto_id", "start_return_%s")
        super().__init__(data, **kw)
        self.returnable = returnable
        for line, units in returnable:
            self.fields[f"quantity_{line.pk}"] = forms.IntegerField(
                label=f"Units of {line.sku} to return",
                required=False,
                min_value=0,
                max_value=MAX_RETURN_QUANTITY,
                initial=1 if line.pk == preselected and units else 0,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": units, "inputmode": "numeric", "class": "quantity"}
                ),
            )
            self.fields[f"reason_{line.pk}"] = forms.ChoiceField(
                label=f"Why {line.sku} comes back",
                required=False,
                choices=_blank("Reason…", ReturnReason.choices),
                # Chosen elsewhere (the customer page): its reason is all that is left to say.
                widget=forms.Select(attrs={"autofocus": True} if line.pk == preselected else {}),
            )

    @property
    def rows(self) -> list[dict]:
        """One row per shipped line: the line, what it may still return, its two fields."""
        return [
            {
                "line": line,
                "units": units,
                "quantity": self[f"quantity_{line.pk}"],
                "reason": self[f"reason_{line.pk}"],
                "shown": bool(units)
                or bool(self[f"quantity_{line.pk}"].errors or self[f"reason_{line.pk}"].errors),
            }
            for line, units in self.returnable
        ]

    def clean(self):
        data = super().clean()
        chosen = 0
        for line, _ in self.returnable:
            if data.get(f"quantity_{line.pk}"):
                chosen += 1
                if not data.get(f"reason_{line.pk}"):
                    self.add_error(f"reason_{line.pk}", "Say why it comes back.")
        if not chosen and not self.errors:
            raise forms.ValidationError("Enter how many units of at least one line come back.")
        if data.get("exchange_quantity") and not (data.get("exchange_sku") or "").strip():
            self.add_error("exchange_sku", "Name the SKU to send instead.")
        return data

    def return_lines(self) -> list[ReturnLineData]:
        data = self.cleaned_data
        wanted = [(line, data.get(f"quantity_{line.pk}")) for line, _ in self.returnable]
        wanted = [(line, quantity) for line, quantity in wanted if quantity]
        self.sent = [line.pk for line, _ in wanted]
        return [
            ReturnLineData(line.sku, quantity, data[f"reason_{line.pk}"])
            for line, quantity in wanted
        ]

    def exchange_lines(self) -> list[ExchangeLineData] | None:
        data = self.cleaned_data
        sku = (data.get("exchange_sku") or "").strip()
        if data.get("resolution") != Resolution.EXCHANGE or not sku:
            return None
        return [ExchangeLineData(sku, data.get("exchange_quantity") or 1)]

    def _field_for(self, name: str) -> str | None:
        if name.startswith("exchange_lines."):
            return "exchange_quantity" if name.endswith(".quantity") else "exchange_sku"
        return super()._field_for(name)


# --- deciding and settling ------------------------------------------------------------------


class ApproveForm(DomainErrorForm):
    label = forms.BooleanField(
        label="Attach a return label",
        required=False,
        help_text="The carrier makes it; the customer gets it by email.",
    )
    warehouse = _warehouses(
        label="Restock at",
        empty_label="Where the units shipped from",
    )


class RejectForm(DomainErrorForm):
    reason = forms.CharField(
        label="Why",
        max_length=500,
        error_messages={"required": "Say why the return is rejected."},
        help_text="The customer is emailed this.",
    )


class ReturnRefundForm(DomainErrorForm):
    """The refund of a received return: the quote's options, and the amount (empty: the quote's
    total; staff may lower it, never raise it)."""

    include_shipping = forms.BooleanField(label="Refund the shipping charge", required=False)
    restocking_fee = forms.DecimalField(
        label="Restocking fee", required=False, min_value=0, max_value=MAX_MONEY, **MONEY
    )
    amount = forms.DecimalField(
        label="Refund amount", required=False, min_value=0, max_value=MAX_MONEY, **MONEY
    )

    def __init__(self, *args, quote_url: str = "", **kwargs):
        kwargs.setdefault("auto_id", "refund_%s")
        super().__init__(*args, **kwargs)
        for name in ("restocking_fee", "amount"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        self.fields["restocking_fee"].widget.attrs["placeholder"] = "0.00"
        if quote_url:
            # A changed option re-quotes: the card comes back with the new total in `amount`.
            # (On change, not while typing: the swap would take the characters typed meanwhile.
            # Whatever is posted, the service holds the refund to the quote of what is posted.)
            for name in ("include_shipping", "restocking_fee"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": quote_url,
                        "hx-trigger": "change",
                        "hx-include": "closest form",
                        "hx-target": "#refund-card",
                        "hx-swap": "outerHTML",
                    }
                )

    def options(self) -> dict:
        """The quote's options as entered (valid or not: an invalid fee quotes without one)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return {
            "include_shipping": bool(data.get("include_shipping")),
            "restocking_fee": data.get("restocking_fee") or 0,
        }


# --- receiving ------------------------------------------------------------------------------


class ReceiveForm(LineErrorsForm):
    """What arrived for one return: per line still expected, how many and in what condition
    (default: everything expected, sellable), and optionally where it goes back on the shelf."""

    line_fields = {"quantity": "quantity", "sku": "quantity", "condition": "condition"}

    warehouse = _warehouses(
        label="Restock at", empty_label="The return’s warehouse, else where it shipped from"
    )

    def __init__(self, data=None, *, lines: list[ReturnLine], **kwargs):
        kwargs.setdefault("auto_id", "receive_%s")
        super().__init__(data, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"quantity_{line.pk}"] = forms.IntegerField(
                label=f"Units of {line.order_line.sku} received",
                required=False,
                min_value=0,
                max_value=MAX_RETURN_QUANTITY,
                initial=line.quantity_outstanding,
                widget=forms.NumberInput(
                    attrs={"min": 0, "inputmode": "numeric", "class": "quantity"}
                ),
            )
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=f"Condition of {line.order_line.sku}",
                choices=Condition.choices,
                initial=Condition.SELLABLE,
            )

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "line": line,
                "quantity": self[f"quantity_{line.pk}"],
                "condition": self[f"condition_{line.pk}"],
            }
            for line in self.lines
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f"quantity_{line.pk}") for line in self.lines):
            raise forms.ValidationError("Enter how many units arrived.")
        return data

    def received_units(self) -> list[ReceivedUnits]:
        data = self.cleaned_data
        arrived = [line for line in self.lines if data.get(f"quantity_{line.pk}")]
        self.sent = [line.pk for line in arrived]
        return [
            ReceivedUnits(
                line.order_line.sku,
                data[f"quantity_{line.pk}"],
                data[f"condition_{line.pk}"],
            )
            for line in arrived
        ]
