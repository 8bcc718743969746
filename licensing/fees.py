"""What a business license costs: the classification's fee rule, the State's fee, and a
penalty on a late renewal. Pure arithmetic on the rows it is given."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from licensing.models import BusinessClassification, LicensingSettings, ReceiptsTier
from payments.services import FeeLineDraft
from portal.money import money

# The most an invoice's line can hold (payments' money fields).
FEE_MAX = Decimal("99999999.99")


class LicenseFeeError(Exception):
    """The fee cannot be computed, with a message a person can read."""


def _dollars(amount: Decimal) -> str:
    return "$" + number_format(amount, decimal_pos=2, force_grouping=True)


def _tier_for(tiers: list[ReceiptsTier], receipts: Decimal) -> ReceiptsTier:
    bounded = sorted(
        (tier for tier in tiers if tier.receipts_up_to is not None),
        key=lambda tier: tier.receipts_up_to,
    )
    for tier in bounded:
        if receipts <= tier.receipts_up_to:
            return tier
    top = next((tier for tier in tiers if tier.receipts_up_to is None), None)
    if top is None:
        raise LicenseFeeError(
            _(
                "The city's fee schedule has no tier for gross receipts of %(receipts)s. "
                "Call the business license office; nothing was saved with this fee."
            )
            % {"receipts": _dollars(receipts)}
        )
    return top


def license_tax(
    classification: BusinessClassification, *, employees: int, gross_receipts: Decimal
) -> FeeLineDraft:
    """The classification's own fee. Prefetch `receipts_tiers` when pricing many."""
    kind = BusinessClassification.FeeKind
    if classification.fee_kind == kind.PER_EMPLOYEE:
        amount = classification.base_fee + classification.per_employee_fee * employees
        detail = ngettext("%(count)d employee", "%(count)d employees", employees) % {
            "count": employees
        }
    elif classification.fee_kind == kind.GROSS_RECEIPTS:
        tier = _tier_for(list(classification.receipts_tiers.all()), gross_receipts)
        amount = classification.base_fee + tier.fee
        detail = _("gross receipts of %(receipts)s") % {"receipts": _dollars(gross_receipts)}
    else:
        amount = classification.base_fee
        detail = ""
    if amount > FEE_MAX:
        raise LicenseFeeError(
            _(
                "The fee for this application would be more than the portal can bill. "
                "Check the number of employees and the gross receipts, or call the "
                "business license office."
            )
        )
    description = _("Business license tax: %(classification)s") % {
        "classification": classification.name
    }
    if detail:
        description = f"{description} ({detail})"
    return FeeLineDraft(description=description, amount=money(amount))


def late_penalty(
    tax: FeeLineDraft, *, expired_on: datetime.date, today: datetime.date, rules: LicensingSettings
) -> FeeLineDraft | None:
    """The penalty on a renewal made after the license's last valid day, or None."""
    if today <= expired_on or not rules.late_penalty_percent:
        return None
    amount = money(tax.amount * rules.late_penalty_percent / 100)
    if not amount:
        return None
    return FeeLineDraft(
        description=_("Late renewal penalty (%(percent)s%% of the license tax)")
        % {"percent": number_format(rules.late_penalty_percent.normalize())},
        amount=amount,
    )


def license_fee_lines(
    classification: BusinessClassification,
    *,
    employees: int,
    gross_receipts: Decimal,
    rules: LicensingSettings,
    lapsed_since: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[FeeLineDraft]:
    """Every line of the bill; a renewal of a license that lapsed on `lapsed_since` (its
    last valid day) pays the late penalty when `today` is past it."""
    tax = license_tax(classification, employees=employees, gross_receipts=gross_receipts)
    lines = [tax]
    if lapsed_since is not None and today is not None:
        penalty = late_penalty(tax, expired_on=lapsed_since, today=today, rules=rules)
        if penalty:
            lines.append(penalty)
    if rules.state_fee:
        lines.append(
            FeeLineDraft(
                description=_("State disability access fee (SB 1186)"),
                amount=money(rules.state_fee),
            )
        )
    return lines


def license_term(
    classification: BusinessClassification, starts_on: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The first and last valid day of a term that starts on `starts_on`."""
    if classification.period == BusinessClassification.Period.TWELVE_MONTHS:
        next_start = starts_on + relativedelta(years=1)
        if next_start.day != starts_on.day:
            # February 29 has no date a year on: the next term starts on March 1, so
            # terms keep their length instead of losing a day each year.
            next_start += datetime.timedelta(days=1)
        return starts_on, next_start - datetime.timedelta(days=1)
    return starts_on, datetime.date(starts_on.year, 12, 31)
