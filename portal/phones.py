"""Phone numbers as people type them, checked and written one way: 310-544-5280."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHONE_CHARACTERS = re.compile(r"^[0-9()+.\-\s]+$")


def phone_normalize(value: str) -> str:
    """A North American number in any usual spelling, as 310-544-5280."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if (
        not PHONE_CHARACTERS.match(value.strip())
        or len(digits) != 10
        or digits[0] in "01"
        or digits[3] in "01"
    ):
        raise ValidationError(
            _("Enter a 10-digit phone number with its area code, such as 310-544-5280."),
            code="phone",
        )
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


class PhoneInput(forms.TextInput):
    """A phone number's field: `type="tel"` brings up a phone's number pad, and the browser
    offers the person's saved number. A TextInput given "type" in its attrs writes the
    attribute twice, and browsers keep the first, "text"."""

    input_type = "tel"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"autocomplete": "tel", **(attrs or {})})
