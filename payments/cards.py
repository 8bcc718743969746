"""The test provider's card form checks, and Stripe's test cards with what they do."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SampleCard:
    brand: str
    declined: str = ""  # the message a declined card gets; empty when it is charged


# https://docs.stripe.com/testing: the same numbers behave the same way here.
TEST_CARDS = {
    "4242424242424242": SampleCard("visa"),
    "5555555555554444": SampleCard("mastercard"),
    "378282246310005": SampleCard("amex"),
    "6011111111111117": SampleCard("discover"),
    "4000000000000002": SampleCard("visa", _("Your card was declined.")),
    "4000000000009995": SampleCard("visa", _("Your card has insufficient funds.")),
}
NOT_A_TEST_CARD = _(
    "Your card was declined: this is the test checkout, which takes only test cards "
    "such as 4242 4242 4242 4242."
)


def luhn_valid(number: str) -> bool:
    digits = [int(digit) for digit in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * digit, 10)) for digit in digits[1::2])
    return total % 10 == 0


def card_number_clean(value: str) -> str:
    """Digits only; spaces and dashes as people type them are fine."""
    return "".join(character for character in value if character not in " -")


def card_expiry_parse(value: str, today: datetime.date) -> tuple[int, int] | None:
    """(month, year) of an MM/YY expiry that has not passed, else None."""
    month, _slash, year = value.strip().partition("/")
    if not (month.strip().isdigit() and year.strip().isdigit()):
        return None
    month_number, year_number = int(month), int(year)
    if year_number < 100:
        year_number += 2000
    if not 1 <= month_number <= 12:
        return None
    if (year_number, month_number) < (today.year, today.month):
        return None
    return month_number, year_number
