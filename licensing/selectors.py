"""Reads about business licenses that views, services and other apps share, including
the business-license part of the gate a contractor passes to apply for permits."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.registry import Blocker
from licensing.fees import LicenseFeeError, license_fee_lines
from licensing.models import (
    RENEWAL_OPENS_DAYS,
    BusinessClassification,
    BusinessLicense,
    LicensingSettings,
)
from payments.models import Invoice, lines_total
from payments.services import FeeLineDraft
from portal.selectors import city_localdate

NUMBER_PATTERN = re.compile(r"^BL(\d{4})-?0*(\d{1,5})$")


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "N j, Y")


def licenses_of(user: User) -> QuerySet[BusinessLicense]:
    return (
        BusinessLicense.objects.filter(holder=user)
        .select_related("classification", "invoice", "renewal_of")
        .order_by("-created_at")
    )


def license_for_holder(user: User, pk: int) -> BusinessLicense | None:
    """The holder's own license or application; None (so a 404) for anyone else's."""
    return licenses_of(user).filter(pk=pk).first()


@dataclass(frozen=True)
class MissingItem:
    """Something the application lacks, and the step of the form that asks for it."""

    step: str  # "business" or "location"
    label: str


def license_missing_by_step(license: BusinessLicense) -> list[MissingItem]:
    """What the application still lacks before it can be submitted, in the words of the
    form. Call it on one application: it counts the owners."""
    business, location = [], []
    required = [
        ("classification_id", _("a classification")),
        ("business_name", _("the business name")),
        ("ownership", _("the ownership type")),
    ]
    business.extend(label for name, label in required if not getattr(license, name))
    if not license.owners.exists():
        business.append(_("at least one owner or officer"))
    if license.starts_business_on is None:
        business.append(_("the business start date"))
    if license.employees is None:
        business.append(_("the number of employees"))
    if license.gross_receipts is None:
        business.append(_("the estimated annual gross receipts"))
    if (
        license.classification_id
        and license.classification.is_contractor
        and not license.state_license_number
    ):
        business.append(_("the state contractor license number"))
    if license.business_in_city is None:
        location.append(_("whether the business is in the city"))
    address = (
        "business_address_line1",
        "business_city",
        "business_state",
        "business_postal_code",
    )
    if not all(getattr(license, name) for name in address):
        location.append(_("the business address"))
    if not license.mailing_same and not (
        license.mailing_address_line1
        and license.mailing_city
        and license.mailing_state
        and license.mailing_postal_code
    ):
        location.append(_("the mailing address"))
    if not license.phone:
        location.append(_("the business phone"))
    if not license.email:
        location.append(_("the business email"))
    return [MissingItem("business", label) for label in business] + [
        MissingItem("location", label) for label in location
    ]


def license_missing_items(license: BusinessLicense) -> list[str]:
    return [item.label for item in license_missing_by_step(license)]


def license_fee_lines_for(license: BusinessLicense) -> list[FeeLineDraft]:
    """The bill for this application. A renewal submitted after the license's last day
    owes the late penalty; the day of submission counts, not the day staff approve."""
    lapsed_since = license.renewal_of.expires_on if license.is_renewal else None
    submitted_on = city_localdate(license.submitted_at) if license.submitted_at else None
    return license_fee_lines(
        license.classification,
        employees=license.employees or 0,
        gross_receipts=license.gross_receipts or 0,
        rules=LicensingSettings.current(),
        lapsed_since=lapsed_since,
        today=submitted_on or city_localdate(),
    )


@dataclass(frozen=True)
class LicenseFees:
    """A license's fees: the bill once there is one (`invoice`), else what approval would
    bill, or why that cannot be worked out (`error`). Each line has a description and an
    amount."""

    lines: list
    total: Decimal
    invoice: Invoice | None = None
    error: str = ""


NO_FEES = LicenseFees(lines=[], total=Decimal(0))


def license_fee_preview(license: BusinessLicense) -> LicenseFees | None:
    """What approval would bill for the application's answers as they stand, whatever it
    was billed before; None until a classification is chosen."""
    if license.classification_id is None:
        return None
    try:
        lines = license_fee_lines_for(license)
    except LicenseFeeError as error:
        return LicenseFees(lines=[], total=Decimal(0), error=str(error))
    return LicenseFees(lines=lines, total=lines_total(lines))


def license_fees(license: BusinessLicense) -> LicenseFees | None:
    """What the office's page shows: the bill once there is one, else the preview."""
    if license.invoice is not None:
        return LicenseFees(
            lines=list(license.invoice.lines.all()),
            total=license.invoice.total,
            invoice=license.invoice,
        )
    return license_fee_preview(license)


def license_fees_shown(license: BusinessLicense) -> LicenseFees:
    """The fees the holder's page shows: the bill once there is one; while the
    application awaits a decision, what approval will bill."""
    awaiting_decision = (*BusinessLicense.PENDING, BusinessLicense.Status.INFO_REQUESTED)
    if license.invoice is None and license.status not in awaiting_decision:
        return NO_FEES
    return license_fees(license) or NO_FEES


def license_renewal_opens_on(license: BusinessLicense) -> datetime.date | None:
    if license.expires_on is None:
        return None
    return license.expires_on - datetime.timedelta(days=RENEWAL_OPENS_DAYS)


def license_renewal_refusal(
    license: BusinessLicense, today: datetime.date, *, renewal: BusinessLicense | None = None
) -> str:
    """Why this license cannot be renewed today; empty when it can. `renewal` is the
    application being submitted, which does not count against itself."""
    others = license.renewals.exclude(status=BusinessLicense.Status.DENIED)
    if renewal is not None:
        others = others.exclude(pk=renewal.pk)
    return renewal_refusal_of(
        license,
        today,
        renewal_underway=others.exists(),
        rules=LicensingSettings.current,
    )


def renewal_refusal_of(
    license: BusinessLicense,
    today: datetime.date,
    *,
    renewal_underway: bool,
    rules: Callable[[], LicensingSettings],
) -> str:
    """The renewal rule on rows in hand, for a list of licenses that fetched their
    renewals once; `rules` is asked only when the rule gets that far."""
    if license.status not in (BusinessLicense.Status.ACTIVE, BusinessLicense.Status.EXPIRED):
        return _("Only an active or recently expired license can be renewed.")
    if renewal_underway:
        return _("This license already has a renewal underway.")
    opens_on = license_renewal_opens_on(license)
    if today < opens_on:
        return _(
            "Renewal opens on %(date)s, %(days)d days before the license expires on %(expires)s."
        ) % {
            "date": _date(opens_on),
            "days": RENEWAL_OPENS_DAYS,
            "expires": _date(license.expires_on),
        }
    late_renewal_days = rules().late_renewal_days
    last_day = license.expires_on + datetime.timedelta(days=late_renewal_days)
    if today > last_day:
        return _(
            "This license expired on %(expires)s, more than %(days)d days ago, so it can no "
            "longer be renewed. Apply for a new license instead."
        ) % {"expires": _date(license.expires_on), "days": late_renewal_days}
    return ""


def license_current_of(
    user: User, today: datetime.date | None = None, *, contractor: bool = False
) -> BusinessLicense | None:
    """The holder's license valid today, if any; with `contractor`, only a contractor
    license for the state license number they sign in with."""
    today = today or city_localdate()
    licenses = BusinessLicense.objects.all()
    if contractor:
        licenses = licenses.filter(
            classification__is_contractor=True, state_license_number=user.username
        )
    return (
        licenses.filter(
            holder=user,
            status=BusinessLicense.Status.ACTIVE,
            starts_on__lte=today,
            expires_on__gte=today,
        )
        .order_by("-expires_on")
        .first()
    )


def number_normalize(value: str) -> str:
    """`bl2026-1`, `BL 2026 00001` and `BL2026-00001` name the same license."""
    compact = re.sub(r"[^0-9A-Za-z-]", "", value).upper()
    match = NUMBER_PATTERN.match(compact)
    if not match:
        return ""
    year, sequence = match.groups()
    return f"BL{year}-{int(sequence):05d}"


def license_public(number: str) -> BusinessLicense | None:
    """The latest term of the license with that number, as the public may see it."""
    number = number_normalize(number)
    if not number:
        return None
    return (
        BusinessLicense.objects.filter(
            number=number,
            status__in=(BusinessLicense.Status.ACTIVE, BusinessLicense.Status.EXPIRED),
        )
        .select_related("classification")
        .order_by("-starts_on")
        .first()
    )


def business_license_blockers(user: User) -> list[Blocker]:
    """What stands between a contractor and a permit on the city-license side: nothing
    when they hold a license valid today, else the one thing to do next."""
    if not user.is_contractor:
        return []
    today = city_localdate()
    if license_current_of(user, today, contractor=True) is not None:
        return []
    latest = (
        BusinessLicense.objects.filter(holder=user)
        .exclude(status=BusinessLicense.Status.DENIED)
        .select_related("invoice")
        .order_by("-created_at")
        .first()
    )
    apply_url = reverse("licensing:apply")
    if latest is None:
        return [
            Blocker(
                _("You need an active City business license to apply for permits."),
                apply_url,
                _("Apply for New License"),
            )
        ]
    detail_url = reverse("licensing:detail", args=[latest.pk])
    status = BusinessLicense.Status
    if latest.status == status.DRAFT:
        message = _(
            "Finish and submit your business license application; you need an active City "
            "business license to apply for permits."
        )
        return [Blocker(message, detail_url, _("Continue the application"))]
    if latest.status in BusinessLicense.PENDING:
        message = _(
            "Your business license application is with the city. You can apply for permits "
            "once it is approved and its fees are paid."
        )
        return [Blocker(message, detail_url, _("See the application"))]
    if latest.status == status.INFO_REQUESTED:
        message = _("The city asked for more information on your business license application.")
        return [Blocker(message, detail_url, _("Answer the request"))]
    if latest.status == status.APPROVED and latest.invoice.status == Invoice.Status.DUE:
        message = _("Your business license is approved: pay its fees to activate it.")
        return [Blocker(message, detail_url, _("Pay license fees"))]
    if latest.status in (status.ACTIVE, status.EXPIRED) and latest.expires_on < today:
        message = _("Your City business license %(number)s expired on %(date)s.") % {
            "number": latest.number,
            "date": _date(latest.expires_on),
        }
        if license_renewal_refusal(latest, today):
            return [Blocker(message, apply_url, _("Apply for New License"))]
        return [Blocker(message, detail_url, _("Renew it"))]
    # Their licenses are current, but none is a contractor license for their number.
    return [
        Blocker(
            _(
                "You need an active City business license in a contractor classification, "
                "for state license %(number)s, to apply for permits."
            )
            % {"number": user.username},
            apply_url,
            _("Apply for New License"),
        )
    ]


def renewals_due_of(user: User, today: datetime.date) -> list[BusinessLicense]:
    """The holder's licenses they may renew today."""
    candidates = licenses_of(user).filter(
        Q(status=BusinessLicense.Status.ACTIVE) | Q(status=BusinessLicense.Status.EXPIRED),
        expires_on__lte=today + datetime.timedelta(days=RENEWAL_OPENS_DAYS),
    )
    return [license for license in candidates if not license_renewal_refusal(license, today)]


# The price list -------------------------------------------------------------------------


def _dollars(amount: Decimal) -> str:
    """An amount as a price list writes it: $50, $100,000, $12.50."""
    places = 0 if amount == amount.to_integral_value() else 2
    return "$" + formats.number_format(amount, decimal_pos=places, force_grouping=True)


def _fee_rule(classification: BusinessClassification) -> str:
    kind = BusinessClassification.FeeKind
    values = {
        "base": _dollars(classification.base_fee),
        "each": _dollars(classification.per_employee_fee),
    }
    if classification.fee_kind == kind.PER_EMPLOYEE:
        return _("%(base)s plus %(each)s per employee") % values
    if classification.fee_kind == kind.GROSS_RECEIPTS:
        if not classification.base_fee:
            return _("A fee by estimated annual gross receipts, from the table below")
        return _("%(base)s plus a fee by estimated annual gross receipts, from the table below") % (
            values
        )
    return _("A flat fee of %(base)s") % values


def _tier_rows(classification: BusinessClassification) -> list[tuple[str, str]]:
    """The gross-receipts table as (receipts, fee) rows in words, lowest tier first.
    Uses the prefetched `receipts_tiers`."""
    if classification.fee_kind != BusinessClassification.FeeKind.GROSS_RECEIPTS:
        return []
    tiers = list(classification.receipts_tiers.all())
    bounded = sorted(
        (tier for tier in tiers if tier.receipts_up_to is not None),
        key=lambda tier: tier.receipts_up_to,
    )
    rows, below = [], None
    for tier in bounded:
        bound = _dollars(tier.receipts_up_to)
        if below is None:
            label = _("Up to %(bound)s") % {"bound": bound}
        else:
            label = _("Over %(below)s, up to %(bound)s") % {"below": below, "bound": bound}
        rows.append((label, _dollars(tier.fee)))
        below = bound
    top = next((tier for tier in tiers if tier.receipts_up_to is None), None)
    if top is not None:
        label = _("Over %(below)s") % {"below": below} if below else _("Any amount")
        rows.append((label, _dollars(top.fee)))
    return rows


def classifications_with_fee_words(classifications) -> list[BusinessClassification]:
    """The classifications, each with its fee rule in words (`fee_rule`) and its
    gross-receipts table as rows (`tier_rows`), as the price list shows them."""
    classifications = list(classifications)
    for classification in classifications:
        classification.fee_rule = _fee_rule(classification)
        classification.tier_rows = _tier_rows(classification)
    return classifications
