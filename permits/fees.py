"""A permit type's fee schedule applied to an application: pure arithmetic, no writes."""

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy

from payments.services import FeeLineDraft
from permits.models import VALUATION_BASIS, FeeRule, FeeTier
from portal.money import money

# What a fee line's column holds (MoneyField: ten digits, two after the point).
FEE_LINE_MAX = Decimal("99999999.99")


class FeeScheduleError(ValueError):
    """The schedule, applied to these answers, gives fees no invoice can hold."""


# What the applicant reads when that happens.
FEES_OUT_OF_RANGE = gettext_lazy(
    "The fees for these answers are beyond what the portal can take. Check the numbers "
    "you entered, or call the Permit Center."
)


def _number(value) -> Decimal:
    # bool first: 1 == True, so a membership test would zero a count of one.
    if value is None or isinstance(value, bool) or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _tiered(value: Decimal, tiers: Iterable[FeeTier]) -> Decimal:
    lower = Decimal(0)
    for tier in tiers:
        if tier.up_to is None or value <= tier.up_to:
            steps = math.ceil((value - lower) / tier.per) if value > lower else 0
            return tier.amount + tier.rate * steps
        lower = tier.up_to
    return Decimal(0)


def fee_rule_amount(rule: FeeRule, values: Mapping) -> Decimal | None:
    """The rule's amount for these values, or None when the rule does not apply."""
    if rule.applies_when and values.get(rule.applies_when) is not True:
        return None
    basis = _number(values.get(rule.basis)) if rule.basis else Decimal(0)
    if rule.kind == FeeRule.Kind.FIXED:
        amount = rule.amount
    elif rule.kind == FeeRule.Kind.RATE:
        amount = rule.amount * basis
    else:
        amount = _tiered(basis, rule.tiers.all())
    if rule.minimum is not None:
        amount = max(amount, rule.minimum)
    try:
        amount = money(amount)
    except InvalidOperation:
        raise FeeScheduleError(rule.description) from None
    if abs(amount) > FEE_LINE_MAX:
        raise FeeScheduleError(rule.description)
    return amount


def fee_lines_compute(
    rules: Iterable[FeeRule], *, valuation: Decimal | None, field_values: Mapping
) -> list[FeeLineDraft]:
    """One line per rule that applies. Prefetch `tiers` on the rules.

    Raises FeeScheduleError when a line is too large to store or the total is negative."""
    values = {**field_values, VALUATION_BASIS: valuation}
    lines = []
    for rule in rules:
        amount = fee_rule_amount(rule, values)
        if amount is not None:
            lines.append(FeeLineDraft(description=rule.description, amount=amount))
    if sum((line.amount for line in lines), Decimal(0)) < 0:
        raise FeeScheduleError("negative total")
    return lines
