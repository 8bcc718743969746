"""Money is a Decimal in dollars with two places, everywhere in the project (DESIGN.md)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Round to the cent the way a cashier does: half a cent rounds up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """Dollars with two places, up to ten million."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
