"""What the project's forms share."""

import datetime
import re
from collections.abc import Callable

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

# The one way HTML writes a date (a "valid date string"): 2026-11-17.
HTML_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# And a time of day: 14:30, with seconds and their fraction if given.
HTML_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?")


def form_data(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (no file chosen, no box ticked), so the
    form is bound and says what is missing; None on a GET, so the form starts unbound."""
    return request.POST if request.method == "POST" else None


class ReasonField(forms.CharField):
    """Why staff change what someone owes or paid, in their own words: kept with the
    change's history, so `help_text` says where."""

    def __init__(self, *, help_text: str, rows: int = 3, **kwargs):
        super().__init__(
            label=_("Reason"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
            help_text=help_text,
            **kwargs,
        )


class _HtmlValueOnly:
    """A date's or a time's field, as the browser's picker. HTML allows it no value but a
    real date or time in its own writing (2026-11-17, 14:30), so text that is none (a
    hand-made request's) is shown as an empty field beside the form's error, as a browser
    would show it."""

    html_value: re.Pattern
    parse: Callable[[str], object]

    def format_value(self, value):
        text = super().format_value(value)
        if text is None or not self.html_value.fullmatch(text):
            return None
        try:
            self.parse(text)
        except ValueError:
            return None
        return text


class DateInput(_HtmlValueOnly, forms.DateInput):
    input_type = "date"
    html_value = HTML_DATE
    parse = staticmethod(datetime.date.fromisoformat)

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(_HtmlValueOnly, forms.TimeInput):
    input_type = "time"
    html_value = HTML_TIME
    parse = staticmethod(datetime.time.fromisoformat)

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%H:%M")
