"""Everything that changes a business license: the application, the city's review, the
activation a payment brings, renewals, reminders and expiry. Longer than the house's 500
lines on purpose: the whole lifecycle reads in one file, sharing the locking, status checks
and notices."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from licensing.certificate import LICENSE_CERTIFICATE_TASK
from licensing.fees import LicenseFeeError, license_term
from licensing.models import (
    REMINDER_DAYS,
    RENEWAL_OPENS_DAYS,
    BusinessLicense,
    LicenseNumberCounter,
    LicenseOwner,
    LicensingSettings,
)
from licensing.selectors import (
    license_fee_lines_for,
    license_missing_items,
    license_renewal_refusal,
)
from payments.models import Invoice
from payments.services import (
    PaymentError,
    fee_line_add,
    invoice_create,
    invoice_make_due,
    invoice_void,
)
from portal.email import email_send
from portal.links import absolute_url
from portal.numbering import counter_next
from portal.outbox import task_enqueue_on_commit
from portal.selectors import city_localdate

logger = logging.getLogger(__name__)

INVOICE_KIND = "business_license"
NUMBER_PREFIX = "BL"
SEQUENCE_DIGITS = 5

# What the holder fills in; everything else is the city's or the workflow's.
APPLICANT_FIELDS = (
    "classification",
    "business_name",
    "dba",
    "ownership",
    "business_in_city",
    "business_address_line1",
    "business_address_line2",
    "business_city",
    "business_state",
    "business_postal_code",
    "mailing_same",
    "mailing_address_line1",
    "mailing_address_line2",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "phone",
    "email",
    "starts_business_on",
    "employees",
    "gross_receipts",
    "state_license_number",
    "federal_ein",
    "sellers_permit",
)
MAILING_FIELDS = (
    "mailing_address_line1",
    "mailing_address_line2",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
)


class LicenseError(Exception):
    """A change that cannot be made, with a message a person can read."""


def _locked(license: BusinessLicense) -> BusinessLicense:
    return (
        BusinessLicense.objects.select_for_update(of=("self",))
        .select_related("classification", "holder", "renewal_of", "invoice")
        .get(pk=license.pk)
    )


def _require_status(license: BusinessLicense, *allowed: str) -> None:
    if license.status not in allowed:
        raise LicenseError(
            _("This application is “%(status)s”, so that can't be done now.")
            % {"status": license.get_status_display()}
        )


def _editable_of(license: BusinessLicense, user: User) -> BusinessLicense:
    license = _locked(license)
    if license.holder_id != user.pk:
        raise LicenseError(_("Only the account holder can change this application."))
    if not license.is_editable:
        raise LicenseError(
            _("This application is “%(status)s” and can no longer be changed.")
            % {"status": license.get_status_display()}
        )
    return license


def license_url(license: BusinessLicense) -> str:
    return absolute_url(reverse("licensing:detail", args=[license.pk]))


def license_email(license: BusinessLicense, template_prefix: str, **context) -> None:
    """A message to the account holder about their license, sent after commit."""
    if not license.holder.email:
        return
    rules = LicensingSettings.current()
    email_send(
        template_prefix=template_prefix,
        to=[license.holder.email],
        context={
            "license": license,
            "license_url": license_url(license),
            "office": rules.department,
            **context,
        },
    )


def _transition(
    license: BusinessLicense,
    status: str,
    actor: User | None,
    *fields: str,
    notify: bool = True,
) -> BusinessLicense:
    license.status = status
    if actor is not None:
        license._history_user = actor
    license.save(update_fields=["status", "updated_at", *fields])
    if notify:
        license_email(license, "email/license_status")
    return license


# The application ---------------------------------------------------------------------


@transaction.atomic
def license_draft_start(*, holder: User) -> BusinessLicense:
    """A new application, with what the account already tells us filled in."""
    license = BusinessLicense(
        holder=holder,
        phone=holder.phone,
        email=holder.email,
        mailing_same=not holder.address_line1,
        mailing_address_line1=holder.address_line1,
        mailing_address_line2=holder.address_line2,
        mailing_city=holder.address_city,
        mailing_state=holder.address_state,
        mailing_postal_code=holder.address_postal_code,
    )
    if holder.is_contractor:
        license.state_license_number = holder.username
        profile = getattr(holder, "contractor_profile", None)
        if profile is not None:
            license.business_name = profile.business_name
    license._history_user = holder
    license.save()
    return license


@transaction.atomic
def license_draft_update(
    *,
    license: BusinessLicense,
    user: User,
    values: dict,
    owners: list[LicenseOwner] | None = None,
    step: str = "",
) -> BusinessLicense:
    """Save what the holder entered on one step; `owners` (unsaved rows) replace the
    application's owners when given. Completeness is checked on submission."""
    unknown = set(values) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValueError(f"Not an applicant's field: {sorted(unknown)}")
    license = _editable_of(license, user)
    classification = values.get("classification")
    if (
        classification is not None
        and not classification.is_active
        and classification.pk != license.classification_id
    ):
        raise LicenseError(_("The city no longer offers that classification; choose another."))
    for name, value in values.items():
        setattr(license, name, value)
    if license.mailing_same:
        for name in MAILING_FIELDS:
            setattr(license, name, "")
    if license.classification is not None and not license.classification.is_contractor:
        license.state_license_number = ""
    if step:
        license.draft_step = step
    license._history_user = user
    license.save()
    if owners is not None:
        license.owners.all().delete()
        for order, owner in enumerate(owners):
            owner.pk = None
            owner.license = license
            owner.order = order
        LicenseOwner.objects.bulk_create(owners)
    return license


@transaction.atomic
def license_draft_delete(*, license: BusinessLicense, user: User) -> None:
    license = _editable_of(license, user)
    _require_status(license, BusinessLicense.Status.DRAFT)
    license.delete()


def _staff_recipients(license: BusinessLicense) -> list[str]:
    if license.reviewer_id and license.reviewer.email:
        return [license.reviewer.email]
    office = LicensingSettings.current().department
    return [office.email] if office is not None and office.email else []


def _invoice_for(license: BusinessLicense) -> Invoice:
    try:
        lines = license_fee_lines_for(license)
    except LicenseFeeError as error:
        raise LicenseError(str(error)) from None
    return invoice_create(
        payer=license.holder,
        kind=INVOICE_KIND,
        reference=license.renewal_of.number if license.is_renewal else _("New license"),
        description=_("Business license: %(name)s") % {"name": license.display_name},
        lines=lines,
    )


@transaction.atomic
def license_submit(*, license: BusinessLicense, user: User) -> BusinessLicense:
    """Send the application to the city. A renewal that keeps its classification is
    approved at once, with its fees due."""
    license = _editable_of(license, user)
    missing = license_missing_items(license)
    if missing:
        raise LicenseError(
            _("The application is not complete: %(missing)s.") % {"missing": "; ".join(missing)}
        )
    if not license.classification.is_active and not license.is_renewal:
        raise LicenseError(_("The city no longer offers that classification; choose another."))
    try:
        license_fee_lines_for(license)
    except LicenseFeeError as error:
        raise LicenseError(str(error)) from None
    resubmission = license.status == BusinessLicense.Status.INFO_REQUESTED
    if license.is_renewal:
        refusal = license_renewal_refusal(license.renewal_of, city_localdate(), renewal=license)
        if refusal:
            raise LicenseError(refusal)
    if not (resubmission and license.is_renewal):
        # A renewal sent in time stays in time while its holder answers the city's
        # question: the late penalty goes by the first submission.
        license.submitted_at = timezone.now()
    if license.is_renewal and license.classification_id == license.renewal_of.classification_id:
        license.staff_message = ""
        return _approve(license, None, "submitted_at", "staff_message")
    _transition(license, BusinessLicense.Status.SUBMITTED, user, "submitted_at")
    staff = _staff_recipients(license)
    if staff:
        email_send(
            template_prefix="email/license_submitted_staff",
            to=staff,
            context={
                "license": license,
                "resubmission": resubmission,
                "admin_url": absolute_url(
                    reverse("admin:licensing_businesslicense_change", args=[license.pk])
                ),
            },
        )
    return license


# The city's review ---------------------------------------------------------------------


@transaction.atomic
def license_review_start(*, license: BusinessLicense, reviewer: User) -> BusinessLicense:
    license = _locked(license)
    _require_status(license, BusinessLicense.Status.SUBMITTED)
    license.reviewer = reviewer
    return _transition(license, BusinessLicense.Status.IN_REVIEW, reviewer, "reviewer")


@transaction.atomic
def license_info_request(
    *, license: BusinessLicense, reviewer: User, message: str
) -> BusinessLicense:
    license = _locked(license)
    _require_status(license, *BusinessLicense.PENDING)
    message = message.strip()
    if not message:
        raise LicenseError(_("Say what information the applicant should add."))
    license.staff_message = message
    license.reviewer = license.reviewer or reviewer
    return _transition(
        license, BusinessLicense.Status.INFO_REQUESTED, reviewer, "staff_message", "reviewer"
    )


def _approve(license: BusinessLicense, actor: User | None, *fields: str) -> BusinessLicense:
    license.decided_at = timezone.now()
    license.invoice = _invoice_for(license)
    _transition(
        license,
        BusinessLicense.Status.APPROVED,
        actor,
        "decided_at",
        "invoice",
        *fields,
        notify=False,
    )
    # Fees of nothing are settled at once and the license activates on the spot; then
    # the activation email is the one the holder needs, not "fees of $0.00 are due".
    invoice_make_due(invoice=license.invoice)
    license.refresh_from_db()
    if license.status == BusinessLicense.Status.APPROVED:
        license_email(license, "email/license_status")
    return license


@transaction.atomic
def license_approve(*, license: BusinessLicense, reviewer: User) -> BusinessLicense:
    license = _locked(license)
    _require_status(license, *BusinessLicense.PENDING)
    license.reviewer = license.reviewer or reviewer
    license.staff_message = ""
    return _approve(license, reviewer, "reviewer", "staff_message")


@transaction.atomic
def license_deny(*, license: BusinessLicense, reviewer: User, reason: str) -> BusinessLicense:
    license = _locked(license)
    _require_status(
        license,
        *BusinessLicense.PENDING,
        BusinessLicense.Status.INFO_REQUESTED,
        BusinessLicense.Status.APPROVED,
    )
    reason = reason.strip()
    if not reason:
        raise LicenseError(_("Give the reason for the denial; the applicant reads it."))
    if license.invoice_id:
        try:
            license.invoice = invoice_void(invoice=license.invoice)
        except PaymentError as error:
            raise LicenseError(str(error)) from None
    license.staff_message = reason
    license.decided_at = timezone.now()
    license.reviewer = license.reviewer or reviewer
    return _transition(
        license,
        BusinessLicense.Status.DENIED,
        reviewer,
        "staff_message",
        "decided_at",
        "reviewer",
    )


# Activation ----------------------------------------------------------------------------


def _number_next(year: int) -> str:
    value = counter_next(LicenseNumberCounter, year=year)
    return f"{NUMBER_PREFIX}{year}-{value:0{SEQUENCE_DIGITS}d}"


@transaction.atomic
def license_activate_for_invoice(*, invoice: Invoice) -> None:
    """Registered with payments: paying the fees activates the license."""
    license_activate(license=BusinessLicense.objects.get(invoice=invoice))


@transaction.atomic
def license_activate(*, license: BusinessLicense) -> BusinessLicense:
    """The fees are paid: the license gets its number and term, and its certificate is
    made. A renewal keeps the number and continues the term it renews."""
    license = _locked(license)
    _require_status(license, BusinessLicense.Status.APPROVED)
    if license.invoice is None or license.invoice.status != Invoice.Status.PAID:
        raise LicenseError(_("The license becomes active once its fees are paid."))
    if license.is_renewal:
        license.number = license.renewal_of.number
        starts_on = license.renewal_of.expires_on + datetime.timedelta(days=1)
        # Fees paid so late that the term they continue is over buy a term from today.
        if license_term(license.classification, starts_on)[1] < city_localdate():
            starts_on = city_localdate()
    else:
        starts_on = city_localdate()
        license.number = _number_next(starts_on.year)
    license.starts_on, license.expires_on = license_term(license.classification, starts_on)
    _transition(license, BusinessLicense.Status.ACTIVE, None, "number", "starts_on", "expires_on")
    task_enqueue_on_commit(LICENSE_CERTIFICATE_TASK, license.pk)
    return license


# Renewal, reminders and expiry ---------------------------------------------------------

COPIED_ON_RENEWAL = APPLICANT_FIELDS


@transaction.atomic
def license_renewal_start(*, license: BusinessLicense, user: User) -> BusinessLicense:
    """The renewal application, filled in from the license; the one already started
    when there is one."""
    license = _locked(license)
    if license.holder_id != user.pk:
        raise LicenseError(_("Only the account holder can renew this license."))
    started = license.renewals.filter(status__in=BusinessLicense.EDITABLE).first()
    if started is not None:
        return started
    refusal = license_renewal_refusal(license, city_localdate())
    if refusal:
        raise LicenseError(refusal)
    renewal = BusinessLicense(holder=license.holder, renewal_of=license)
    for name in COPIED_ON_RENEWAL:
        setattr(renewal, name, getattr(license, name))
    renewal._history_user = user
    renewal.save()
    LicenseOwner.objects.bulk_create(
        LicenseOwner(license=renewal, name=owner.name, title=owner.title, order=owner.order)
        for owner in license.owners.all()
    )
    return renewal


def _renewal_sent(license: BusinessLicense) -> bool:
    """A renewal has reached the city; a draft left unsent still earns the reminders."""
    return license.renewals.exclude(
        status__in=(BusinessLicense.Status.DRAFT, BusinessLicense.Status.DENIED)
    ).exists()


@transaction.atomic
def license_renewal_remind(*, license: BusinessLicense, today: datetime.date) -> bool:
    """Send the reminder this day calls for, once: at 60, 30 and 7 days before expiry.
    A license whose renewal the city has is not reminded."""
    license = _locked(license)
    if license.status != BusinessLicense.Status.ACTIVE or license.expires_on is None:
        return False
    days_left = (license.expires_on - today).days
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days]
    if not due:
        return False
    threshold = min(due)
    if license.reminder_sent_days is not None and license.reminder_sent_days <= threshold:
        return False
    if _renewal_sent(license):
        return False
    license.reminder_sent_days = threshold
    license.save(update_fields=["reminder_sent_days"])
    license_email(
        license,
        "email/license_renewal_reminder",
        days_left=days_left,
        renew_url=license_url(license),
        penalty_percent=LicensingSettings.current().late_penalty_percent,
    )
    return True


def licenses_remind_renewal(*, today: datetime.date) -> int:
    due = BusinessLicense.objects.filter(
        status=BusinessLicense.Status.ACTIVE,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=max(RENEWAL_OPENS_DAYS, *REMINDER_DAYS)),
    )
    return sum(
        1 for license in due.only("pk") if license_renewal_remind(license=license, today=today)
    )


def _penalty_add(renewal: BusinessLicense, expired_on: datetime.date, today: datetime.date):
    """A renewal approved in time but still unpaid when the license lapses owes the
    late penalty too."""
    from licensing.fees import late_penalty, license_tax

    rules = LicensingSettings.current()
    tax = license_tax(
        renewal.classification, employees=renewal.employees, gross_receipts=renewal.gross_receipts
    )
    penalty = late_penalty(tax, expired_on=expired_on, today=today, rules=rules)
    if penalty is None:
        return
    try:
        fee_line_add(
            invoice=renewal.invoice,
            description=penalty.description,
            amount=penalty.amount,
            reason=_("The license expired before the renewal fees were paid."),
        )
    except PaymentError:
        # A card checkout holds the invoice; the payment in flight settles it as it was.
        logger.info("Late penalty not added to %s: a checkout holds it", renewal.invoice)


@transaction.atomic
def license_expire(*, license: BusinessLicense, today: datetime.date) -> BusinessLicense | None:
    """Expire an active license past its last day; None when another run got there first."""
    license = _locked(license)
    if license.status != BusinessLicense.Status.ACTIVE or not license.expires_on < today:
        return None
    renewed = license.renewals.filter(status=BusinessLicense.Status.ACTIVE).exists()
    _transition(license, BusinessLicense.Status.EXPIRED, None, notify=False)
    if renewed:
        return license
    for renewal in license.renewals.filter(
        status=BusinessLicense.Status.APPROVED, invoice__status=Invoice.Status.DUE
    ).select_related("classification", "invoice"):
        # One sent after the last day was billed the penalty when it was sent.
        if city_localdate(renewal.submitted_at) <= license.expires_on:
            _penalty_add(renewal, license.expires_on, today)
    if license.renewals.filter(
        status__in=(*BusinessLicense.PENDING, BusinessLicense.Status.INFO_REQUESTED)
    ).exists():
        # The holder has renewed; the city has not decided yet. "Renew it" would mislead.
        return license
    rules = LicensingSettings.current()
    license_email(
        license,
        "email/license_expired",
        renew_url=license_url(license),
        renew_until=license.expires_on + datetime.timedelta(days=rules.late_renewal_days),
        penalty_percent=rules.late_penalty_percent,
    )
    return license


def licenses_expire(*, today: datetime.date) -> int:
    due = BusinessLicense.objects.filter(status=BusinessLicense.Status.ACTIVE, expires_on__lt=today)
    return sum(1 for license in due.only("pk") if license_expire(license=license, today=today))
