"""Back-office forms for orders: they parse and validate; the views call the services."""

from django import forms
from django.http import QueryDict

from inventory.selectors_backoffice import product_by_sku
from oms.dates import DayField
from oms.errors import DomainError
from oms.money import MONEY
from oms.validators import CountryCodeField
from orders.models import Address, HoldReason, Order, OrderStatus
from orders.selectors import QUEUES, OrderFilters, order_list
from orders.selectors_backoffice import channel_choices, matching_numbers, warehouse_choices

SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "ship_by": "Ship by, soonest first",
    "total": "Largest total first",
}
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# The query-string names that make up a queue view (cursors are not part of a view).
FILTER_NAMES = (
    "queue",
    "q",
    "status",
    "channel",
    "payment_status",
    "hold_reason",
    "warehouse",
    "date_from",
    "date_to",
    "has_notes",
    "placed_after",
    "placed_before",
    "open",
    "sort",
    "per_page",
)
INQUIRY_CHANNELS = (("phone", "Phone"), ("email", "Email"), ("chat", "Chat"))


def filter_query(params: QueryDict) -> str:
    """The filters of a queue URL as a query string: known names, non-empty values, no cursor."""
    kept = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values[:1])
    return kept.urlencode()


class DomainErrorForm(forms.Form):
    def add_domain_error(self, error: DomainError) -> None:
        """Put a service's refusal beside the fields it names (the view flashes its message)."""
        for name, messages in error.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(choices=list(QUEUES.items()), required=False)
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(choices=_blank("Any status", OrderStatus.choices), required=False)
    channel = forms.ChoiceField(required=False)
    payment_status = forms.ChoiceField(
        label="Payment",
        choices=_blank("Any payment", Order.PaymentStatus.choices),
        required=False,
    )
    hold_reason = forms.ChoiceField(
        label="Hold reason", choices=_blank("Any reason", HoldReason.choices), required=False
    )
    warehouse = forms.ChoiceField(required=False)
    date_from = DayField(label="Placed from", required=False)
    date_to = DayField(label="Placed to", required=False)
    has_notes = forms.BooleanField(label="Has notes", required=False)
    # Exact bounds and "open only" arrive in links (the dashboard's), not from the filter bar.
    placed_after = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    placed_before = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    open = forms.BooleanField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label="Sort", choices=list(SORT_LABELS.items()), required=False)
    per_page = forms.TypedChoiceField(
        label="Per page",
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        required=False,
        empty_value=DEFAULT_PAGE_SIZE,
    )

    def __init__(self, data: QueryDict, *, channels, warehouses, **kwargs):
        # The page size shows its default when the URL does not name one.
        data = data.copy()
        data.setdefault("per_page", str(DEFAULT_PAGE_SIZE))
        super().__init__(data, **kwargs)
        self.fields["channel"].choices = _blank("Any channel", channels)
        self.fields["warehouse"].choices = _blank("Any warehouse", warehouses)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Number, external id, email, phone, name, SKU"}
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Must be on or after the start date.")
        return data

    def filters(self) -> OrderFilters:
        """What the selector needs; a value that did not validate is left out."""
        data = getattr(self, "cleaned_data", {})
        return OrderFilters(
            queue=data.get("queue") or "all",
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            payment_status=data.get("payment_status") or "",
            hold_reason=data.get("hold_reason") or "",
            warehouse=data.get("warehouse") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            has_notes=bool(data.get("has_notes")),
            placed_after=data.get("placed_after"),
            placed_before=data.get("placed_before"),
            open_only=bool(data.get("open")),
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "newest",
        )

    def page_size(self) -> int:
        return getattr(self, "cleaned_data", {}).get("per_page") or DEFAULT_PAGE_SIZE

    def active_count(self) -> int:
        """How many filters behind the "Filters" button narrow the list (search, sort and page
        size are not among them)."""
        data = getattr(self, "cleaned_data", {})
        return sum(1 for name in FOLDED_FILTERS if data.get(name))


# The filters folded behind the queue's "Filters" button.
FOLDED_FILTERS = (
    "status",
    "channel",
    "payment_status",
    "hold_reason",
    "warehouse",
    "date_from",
    "date_to",
    "has_notes",
)


def queue_filter_form(params: QueryDict) -> QueueFilterForm:
    """The queue's filter bar bound to these parameters and validated: a value that does not
    validate is left out of the filters (and shown with its error)."""
    form = QueueFilterForm(params, channels=channel_choices(), warehouses=warehouse_choices())
    form.is_valid()
    return form


class OrderNumbersField(forms.Field):
    """The order numbers ticked in a list (`orders=SO-000001&orders=SO-000002`), at most a
    long page of them."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Select at least one order."}
    MAX = 200

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        numbers = list(dict.fromkeys(str(number).strip().upper() for number in values))
        return [number for number in numbers if number]

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > self.MAX:
            raise forms.ValidationError(f"Select at most {self.MAX} orders at a time.")


BULK_ACTIONS = {
    "hold": "Hold",
    "release": "Release holds",
    "cancel": "Cancel",
    "export": "Export CSV",
}


# The most orders one "every order matching the filters" action runs over. Each order is its
# own transaction inside the request: a thousand holds take about 5 s, a thousand releases or
# cancellations (which re-process or release stock) about 15 s, so more would outlast a
# worker's request timeout.
BULK_LIMIT = 1000
MATCHING = "matching"


def matching_order_numbers(query: str) -> list[str]:
    """The numbers of the orders a queue's filters (`query`) match now, in the queue's order:
    `BULK_LIMIT + 1` at most, so one more than the limit says there are too many."""
    filters = queue_filter_form(QueryDict(query)).filters()
    return matching_numbers(order_list(filters), limit=BULK_LIMIT)


class BulkActionForm(forms.Form):
    """A bulk action over the ticked orders, or with `scope=matching` over every order the
    queue's filters (`query`) match when it runs: the filters are evaluated again here, beyond
    the page on screen, and more than `BULK_LIMIT` matches are refused, not cut short."""

    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    orders = OrderNumbersField(required=False)
    scope = forms.ChoiceField(
        choices=[("", "The ticked orders"), (MATCHING, "Every order matching the filters")],
        required=False,
    )
    query = forms.CharField(required=False, max_length=2000)
    hold_reason = forms.ChoiceField(
        label="Hold reason", choices=_blank("Hold reason…", HoldReason.choices), required=False
    )
    note = forms.CharField(
        label="Hold note",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Note (optional)"}),
    )
    reason = forms.CharField(
        label="Cancel reason",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Cancel reason"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="bulk-%s", **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("action") == "hold" and not data.get("hold_reason"):
            self.add_error("hold_reason", "Choose why the orders are held.")
        if data.get("action") == "cancel" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the orders are cancelled.")
        matching = data.get("scope") == MATCHING
        if not matching and not data.get("orders") and "orders" not in self.errors:
            self.add_error("orders", "Select at least one order.")
        if matching and not self.errors:
            data["orders"] = self._matching(data.get("query") or "")
        return data

    def _matching(self, query: str) -> list[str]:
        numbers = matching_order_numbers(query)
        if len(numbers) > BULK_LIMIT:
            self.add_error(
                "scope",
                f"More than {BULK_LIMIT:,} orders match these filters, and one bulk action "
                f"takes at most {BULK_LIMIT:,}: narrow the filters, or tick the orders.",
            )
        elif not numbers:
            self.add_error("scope", "No order matches these filters any more.")
        return numbers

    @property
    def is_matching(self) -> bool:
        return self["scope"].value() == MATCHING

    def ticked(self) -> set[str]:
        """The numbers that were ticked, whatever else was wrong (the queue ticks them again)."""
        if not self.is_bound:
            return set()
        return set(self.fields["orders"].to_python(self.data.getlist("orders")))

    def error_messages_list(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class SavedViewForm(forms.Form):
    name = forms.CharField(label="Name this view", max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_query(self) -> str:
        return filter_query(QueryDict(self.cleaned_data.get("query") or ""))


# --- the order page --------------------------------------------------------------------------


class HoldForm(DomainErrorForm):
    reason = forms.ChoiceField(label="Reason", choices=_blank("Choose…", HoldReason.choices))
    note = forms.CharField(label="Note", required=False, max_length=500)


class CancelForm(DomainErrorForm):
    reason = forms.CharField(label="Reason", max_length=200)


class LineQuantityForm(DomainErrorForm):
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=100_000)


class LineAddForm(DomainErrorForm):
    sku = forms.CharField(label="SKU", max_length=64)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=100_000, initial=1)
    unit_price = forms.DecimalField(
        label="Unit price",
        required=False,
        min_value=0,
        help_text="Empty: the catalog price.",
        **MONEY,
    )

    def clean_sku(self) -> str:
        """The SKU in the catalog's case (`mug-nat-m` adds MUG-NAT-M)."""
        sku = self.cleaned_data["sku"].strip()
        self.product = product_by_sku(sku)
        if self.product is None:
            raise forms.ValidationError(f"No product has the SKU {sku}.")
        return self.product.sku


class AddressForm(DomainErrorForm):
    name = forms.CharField(label="Name", max_length=200)
    company = forms.CharField(label="Company", max_length=200, required=False)
    line1 = forms.CharField(label="Street", max_length=200)
    line2 = forms.CharField(label="Street, 2nd line", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100)
    region = forms.CharField(label="Region", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20)
    country = CountryCodeField(label="Country")
    phone = forms.CharField(label="Phone", max_length=40, required=False)

    @classmethod
    def for_address(cls, address: Address, data=None, **kwargs):
        return cls(data, initial=address.as_dict(), **kwargs)


class NoteForm(DomainErrorForm):
    text = forms.CharField(
        label="Internal note", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InquiryForm(DomainErrorForm):
    channel = forms.ChoiceField(label="Contacted by", choices=INQUIRY_CHANNELS)
    summary = forms.CharField(
        label="What the customer asked", max_length=800, widget=forms.Textarea(attrs={"rows": 2})
    )
