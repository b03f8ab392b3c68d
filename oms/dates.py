"""A day in a form, typed the way the back office prints it: 2025-01-15.

A browser's own date picker shows the day in the browser's locale (01/15/2025 in an American
one), beside lists that print 2025-01-15. A text field with the format as its placeholder keeps
one format on screen, and the field accepts only that format (`oms/formats`), so 01/02/2025 is
refused with the format to use instead of being read one way or the other.
"""

from django import forms

DAY_PLACEHOLDER = "YYYY-MM-DD"


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": DAY_PLACEHOLDER, "size": 10, "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")


class DayField(forms.DateField):
    widget = DayInput
    default_error_messages = {"invalid": f"Enter a day as {DAY_PLACEHOLDER}, e.g. 2025-01-15."}
