from django import forms
from django.utils.translation import gettext_lazy as _


class PermitSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Permit number, address or contractor"),
        max_length=120,
        help_text=_("Enter a permit number exactly as it is printed, e.g. RERF2026-0001."),
    )
