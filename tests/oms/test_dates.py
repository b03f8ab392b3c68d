"""Days and times are shown and typed one way: 2025-01-15 14:02."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import engines

from oms.dates import DayField


def render(template: str, **context) -> str:
    return engines["django"].from_string(template).render(context)


def test_the_format_settings_print_a_day_and_a_moment_the_way_lists_do():
    moment = datetime(2025, 1, 15, 14, 2, tzinfo=UTC)
    assert render("{{ day|date }}", day=date(2025, 1, 15)) == "2025-01-15"
    assert render('{{ moment|date:"DATETIME_FORMAT" }}', moment=moment) == "2025-01-15 14:02"
    assert render("{{ day }}", day=date(2025, 1, 15)) == "2025-01-15"


def test_a_day_field_takes_the_printed_format_only():
    field = DayField(required=False)
    assert field.clean("2025-01-15") == date(2025, 1, 15)
    for typed in ("01/15/2025", "15.01.2025", "Jan 15 2025"):
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == ["Enter a day as YYYY-MM-DD, e.g. 2025-01-15."]


def test_a_day_is_typed_into_a_text_field_showing_the_format():
    html = DayField().widget.render("date_from", date(2025, 1, 15))
    assert 'type="text"' in html
    assert 'placeholder="YYYY-MM-DD"' in html
    assert 'value="2025-01-15"' in html
