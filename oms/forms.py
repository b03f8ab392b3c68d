from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator

from oms.destinations import internal_address_reason
from oms.models import WEBHOOK_EVENTS, WebhookEndpoint


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses this key, e.g. “3PL east coast” or “ERP sync”."
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="The key acts with this person's role.",
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where to POST events; https in production.",
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="Who receives it, e.g. “Shopify stock sync”."
    )
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Inactive endpoints get nothing."
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = internal_address_reason(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data=None) -> "WebhookEndpointForm":
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        }
        return cls(data, initial=initial)
