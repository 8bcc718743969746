"""What the project's forms share."""

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _


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
