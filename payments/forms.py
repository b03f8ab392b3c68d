"""Back-office forms for payments: they parse and validate; the views call the services.

Whether a refund is allowed (what is refundable, the person's limit) is the service's decision
on submit. `RefundCheckForm` only tells the person beforehand, while they type the amount.
"""

from decimal import Decimal

from django import forms

from oms.money import CENT, MAX_MONEY, MONEY, to_money
from orders.forms import DomainErrorForm

# How money received by hand was paid (the `manual` gateway records it).
MANUAL_METHODS = (
    ("cash", "Cash"),
    ("bank_transfer", "Bank transfer"),
    ("cash_on_delivery", "Cash on delivery"),
    ("card_terminal", "Card terminal"),
)


class AmountField(forms.DecimalField):
    """A positive amount of money, in cents ("7.5" is 7.50, as the services store it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Amount")
        super().__init__(**MONEY, min_value=CENT, max_value=MAX_MONEY, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value) -> Decimal | None:
        amount = super().clean(value)
        return None if amount is None else to_money(amount)


class RecordPaymentForm(DomainErrorForm):
    amount = AmountField()
    method = forms.ChoiceField(choices=MANUAL_METHODS)
    reference = forms.CharField(
        max_length=200,
        required=False,
        help_text="Receipt number or bank reference.",
    )


class RefundForm(DomainErrorForm):
    amount = AmountField()
    reason = forms.CharField(max_length=300, help_text="Shown on the timeline.")

    # Where the amount being typed is checked (`RefundCheckForm`), and the element told.
    CHECK_TARGET = "payment_refund_amount_check"

    def __init__(self, *args, check_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if check_url:
            self.fields["amount"].widget.attrs.update(
                {
                    "hx-post": check_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": f"#{self.CHECK_TARGET}",
                    "hx-swap": "innerHTML",
                    "aria-describedby": self.CHECK_TARGET,
                }
            )


class RefundCheckForm(forms.Form):
    """The amount being typed into the refund form, checked against what the refund will be
    held to: what is refundable now and the person's own limit (None: no limit)."""

    amount = AmountField()

    def __init__(self, data, *, refundable: Decimal, limit: Decimal | None, currency: str):
        super().__init__(data)
        self.refundable, self.limit, self.currency = refundable, limit, currency

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        problems = []
        if amount > self.refundable:
            problems.append(f"At most {self.refundable} {self.currency} can be refunded.")
        if self.limit is not None and amount > self.limit:
            problems.append(
                f"Above your limit of {self.limit} {self.currency}: a manager must refund this."
            )
        if problems:
            raise forms.ValidationError(problems)
        return amount
