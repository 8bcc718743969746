"""What a person sends to pay: which fees (never an amount), and on the test provider's
checkout page, a card."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from payments.cards import TEST_CARDS, card_expiry_parse, card_number_clean, luhn_valid
from payments.models import Payment
from portal.selectors import city_localdate

# Ids beyond this are no invoice of anyone's; keeping them out keeps every database happy.
ID_MAX = 2**63 - 1
# More fees than anyone owes at once: the form is not a way to send the server a list.
INVOICES_MAX = 100


class InvoiceIdsField(forms.Field):
    """One or more invoice ids, as checkboxes (or hidden inputs) named alike send them."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose the fees to pay."),
        "invalid": _("Choose fees of yours to pay."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > INVOICES_MAX:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        ids = []
        for item in value:
            text = str(item).strip()
            # Checked by its length before it is read: Python reads no more than 4,300 digits.
            if (
                not text.isascii()
                or not text.isdigit()
                or len(text) > len(str(ID_MAX))
                or not 0 < int(text) <= ID_MAX
            ):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class PayForm(forms.Form):
    """The fees to pay online. The amount is computed on the server from the fees. The
    page to go back to (`next`) is no field of it: whatever it holds, it never stops a
    payment, and it is checked where it is used (portal.links.redirect_back)."""

    invoice = InvoiceIdsField()


EXPIRY_FORMAT = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


def _numeric(autocomplete: str, **attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocomplete": autocomplete, "inputmode": "numeric", "spellcheck": "false", **attrs}
    )


class CardForm(forms.Form):
    """The built-in test checkout's card form, checked like a real one: the number by its
    check digit, the expiry against the city's today, the CVC by the card's kind."""

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=_numeric("cc-number", placeholder="1234 1234 1234 1234"),
        help_text=_("For example 4242 4242 4242 4242, which always succeeds."),
    )
    expiry = forms.CharField(
        label=_("Expiry date (MM/YY)"),
        max_length=7,
        widget=_numeric("cc-exp", placeholder="MM/YY"),
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=_numeric("cc-csc"),
        help_text=_("3 digits on the back of the card; 4 on the front of an American Express."),
    )
    name = forms.CharField(
        label=_("Name on card"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )

    def clean_card_number(self) -> str:
        number = card_number_clean(self.cleaned_data["card_number"])
        if not (number.isascii() and number.isdigit()) or not 12 <= len(number) <= 19:
            raise ValidationError(
                _("Enter the card number: 12 to 19 digits, as printed on the card.")
            )
        if not luhn_valid(number):
            raise ValidationError(_("This card number is not valid: check it for a typo."))
        return number

    def clean_expiry(self) -> tuple[int, int]:
        value = self.cleaned_data["expiry"]
        match = EXPIRY_FORMAT.match(value)
        if not match or not 1 <= int(match[1]) <= 12:
            raise ValidationError(_("Enter the expiry date as on the card, for example 08/29."))
        parsed = card_expiry_parse(f"{match[1]}/{match[2]}", city_localdate())
        if parsed is None:
            raise ValidationError(_("This card has expired."))
        return parsed

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not (cvc.isascii() and cvc.isdigit()):
            raise ValidationError(_("Enter the security code: digits only."))
        return cvc

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned_data = super().clean()
        number, cvc = cleaned_data.get("card_number"), cleaned_data.get("cvc")
        if number and cvc:
            amex = number.startswith(("34", "37"))
            if len(cvc) != (4 if amex else 3):
                self.add_error(
                    "cvc",
                    _("An American Express card has a 4-digit security code.")
                    if amex
                    else _("The security code is 3 digits."),
                )
        return cleaned_data

    @property
    def test_card(self):
        """The test card the number is, or None: only valid once the form is."""
        return TEST_CARDS.get(self.cleaned_data["card_number"])


class CounterPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=[
            (Payment.Method.CASH, Payment.Method.CASH.label),
            (Payment.Method.CHECK, Payment.Method.CHECK.label),
        ],
        widget=forms.RadioSelect,
    )
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        help_text=_("From the cash register, or the check's number for a check."),
    )
