from django import forms
from django.contrib.auth import get_user_model


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses this key, e.g. “3PL east coast” or “ERP sync”."
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="The key acts with this person's role.",
    )
