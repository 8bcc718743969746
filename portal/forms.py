"""What the project's forms share."""

import datetime
import re

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

# The one way HTML writes a date (a "valid date string"): 2026-11-17.
HTML_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


class DateInput(forms.DateInput):
    """A date's field: the browser's date picker. HTML allows it no value but a real date
    written 2026-11-17, so text that is none (a hand-made request's) is shown as an empty
    field beside the form's error, as a browser would show it."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        text = super().format_value(value)
        if text is None or not HTML_DATE.fullmatch(text):
            return None
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return None
        return text
