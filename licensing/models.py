"""City business licenses: the classifications and their fees as city data, and each
license from its first saved draft through its terms and renewals."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import license_number_validator
from licensing.constants import NEXT_STEPS, STATUS_MEANINGS, LicenseStatus
from portal.models import Application, SingleRowSettings
from portal.money import MoneyField
from portal.statuses import status_is

# Renewal opens this many days before a license expires; the reminders go out on these
# days before it.
RENEWAL_OPENS_DAYS = 60
REMINDER_DAYS = (60, 30, 7)
# Counts and amounts people enter: never negative, and small enough that any fee
# computed on them fits an invoice.
EMPLOYEES_MAX = 100_000
RECEIPTS_MAX = Decimal("99999999.99")

federal_ein_validator = RegexValidator(
    r"^[0-9]{2}-[0-9]{7}\Z",
    _("An EIN is nine digits written as 12-3456789."),
    code="federal_ein",
)
sellers_permit_validator = RegexValidator(
    r"^[0-9][0-9-]{5,13}[0-9]\Z",
    _("A seller's permit number is digits with hyphens, such as 123-456789."),
    code="sellers_permit",
)


class BusinessClassification(models.Model):
    """A kind of business the city licenses, with the fee rule that prices its license."""

    class FeeKind(models.TextChoices):
        FLAT = "flat", _("Flat fee")
        PER_EMPLOYEE = "per_employee", _("Base fee plus an amount per employee")
        GROSS_RECEIPTS = "gross_receipts", _("Base fee plus a fee by gross-receipts tier")

    class Period(models.TextChoices):
        CALENDAR_YEAR = "calendar_year", _("Calendar year (expires December 31)")
        TWELVE_MONTHS = "twelve_months", _("Twelve months from approval")

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to applicants choosing a classification.")
    )
    is_contractor = models.BooleanField(
        _("contractor classification"),
        default=False,
        help_text=_("Applicants must give a valid California State contractor license number."),
    )
    fee_kind = models.CharField(
        _("fee rule"), max_length=20, choices=FeeKind.choices, default=FeeKind.FLAT
    )
    base_fee = MoneyField(_("base fee"), default=Decimal(0), validators=[MinValueValidator(0)])
    per_employee_fee = MoneyField(
        _("fee per employee"),
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text=_("For the per-employee rule only."),
    )
    period = models.CharField(
        _("license period"), max_length=20, choices=Period.choices, default=Period.CALENDAR_YEAR
    )
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Only offered classifications can be applied for.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("business classification")
        verbose_name_plural = _("business classifications")

    def __str__(self) -> str:
        return self.name


class ReceiptsTier(models.Model):
    """One band of a gross-receipts fee: receipts up to this amount pay this fee."""

    classification = models.ForeignKey(
        BusinessClassification,
        on_delete=models.CASCADE,
        related_name="receipts_tiers",
        verbose_name=_("classification"),
    )
    receipts_up_to = MoneyField(
        _("gross receipts up to"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty on the top tier: receipts above every other tier."),
    )
    fee = MoneyField(_("fee"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ("classification", models.F("receipts_up_to").asc(nulls_last=True))
        verbose_name = _("gross-receipts tier")
        verbose_name_plural = _("gross-receipts tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "receipts_up_to"],
                name="receipts_tier_unique_bound",
                violation_error_message=_("Two tiers of a classification share an upper bound."),
            ),
            models.UniqueConstraint(
                fields=["classification"],
                condition=models.Q(receipts_up_to=None),
                name="receipts_tier_one_top",
                violation_error_message=_("A classification has only one top tier."),
            ),
        ]

    def __str__(self) -> str:
        if self.receipts_up_to is None:
            return _("Above the other tiers: $%(fee)s") % {"fee": self.fee}
        return _("Up to $%(bound)s: $%(fee)s") % {"bound": self.receipts_up_to, "fee": self.fee}


class LicensingSettings(SingleRowSettings):
    """The city's business-license rules; a single row (id 1), kept with its history."""

    late_penalty_percent = models.DecimalField(
        _("late renewal penalty (percent)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(25),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Added to the license fee of a renewal made after the license expired."),
    )
    late_renewal_days = models.PositiveSmallIntegerField(
        _("days a lapsed license can still be renewed"),
        default=180,
        validators=[MaxValueValidator(365)],
        help_text=_("After this many days past expiry the business applies for a new license."),
    )
    state_fee = MoneyField(
        _("state disability access fee"),
        default=Decimal("4.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Collected on every license and renewal for the State (SB 1186)."),
    )
    department = models.ForeignKey(
        "portal.Department",
        verbose_name=_("business license office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Whose phone and email license pages and emails give."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("licensing settings")
        verbose_name_plural = _("licensing settings")

    def __str__(self) -> str:
        return str(_("Business license settings"))

    @classmethod
    def current(cls) -> "LicensingSettings":
        return super().current("department")


class LicenseNumberCounter(models.Model):
    """The last license number given in a year, taken under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"BL{self.year}: {self.last_value}"


class BusinessLicense(Application):
    """An application from its first saved draft, and the license term it becomes. A
    renewal is a new row for the next term that keeps the license's number."""

    Status = LicenseStatus

    class Ownership(models.TextChoices):
        SOLE_PROPRIETOR = "sole_proprietor", _("Sole proprietorship")
        PARTNERSHIP = "partnership", _("Partnership")
        LLC = "llc", _("Limited liability company")
        CORPORATION = "corporation", _("Corporation")
        NONPROFIT = "nonprofit", _("Nonprofit")
        OTHER = "other", _("Other")

    # Statuses in which the holder edits the application.
    EDITABLE = (Status.DRAFT, Status.INFO_REQUESTED)
    # Statuses the city is working on.
    PENDING = (Status.SUBMITTED, Status.IN_REVIEW)

    number = models.CharField(_("license number"), max_length=20, blank=True, db_index=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="business_licenses",
        verbose_name=_("account holder"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )
    classification = models.ForeignKey(
        BusinessClassification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licenses",
        verbose_name=_("classification"),
    )
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    dba = models.CharField(
        _("doing business as (DBA)"),
        max_length=200,
        blank=True,
        help_text=_("The name customers know, if it differs from the legal name."),
    )
    ownership = models.CharField(
        _("ownership type"), max_length=20, choices=Ownership.choices, blank=True
    )
    business_in_city = models.BooleanField(
        _("the business is located in the city"),
        null=True,
        blank=True,
        help_text=_("Out-of-town businesses that work in the city need a license too."),
    )
    business_address_line1 = models.CharField(_("business address"), max_length=200, blank=True)
    business_address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    business_city = models.CharField(_("city"), max_length=100, blank=True)
    business_state = models.CharField(_("state"), max_length=2, blank=True)
    business_postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    mailing_same = models.BooleanField(_("mail goes to the business address"), default=True)
    mailing_address_line1 = models.CharField(_("mailing address"), max_length=200, blank=True)
    mailing_address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    mailing_city = models.CharField(_("city"), max_length=100, blank=True)
    mailing_state = models.CharField(_("state"), max_length=2, blank=True)
    mailing_postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    phone = models.CharField(_("business phone"), max_length=30, blank=True)
    email = models.EmailField(_("business email"), blank=True)
    starts_business_on = models.DateField(
        _("business start date"), null=True, blank=True, help_text=_("When it opened or opens.")
    )
    employees = models.PositiveIntegerField(
        _("number of employees"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(EMPLOYEES_MAX)],
        help_text=_("Count owners who work in the business; 0 if there are none."),
    )
    gross_receipts = MoneyField(
        _("estimated annual gross receipts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(RECEIPTS_MAX)],
    )
    state_license_number = models.CharField(
        _("state contractor license number"),
        max_length=10,
        blank=True,
        validators=[license_number_validator],
        help_text=_("The CSLB number; contractor classifications only."),
    )
    federal_ein = models.CharField(
        _("federal employer ID (EIN)"),
        max_length=10,
        blank=True,
        validators=[federal_ein_validator],
    )
    sellers_permit = models.CharField(
        _("seller's permit number"),
        max_length=15,
        blank=True,
        validators=[sellers_permit_validator],
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licenses_reviewed",
        verbose_name=_("reviewer"),
        limit_choices_to={"is_staff": True},
    )
    staff_message = models.TextField(
        _("message from the city"),
        blank=True,
        help_text=_("The information asked for, or the reason for a denial."),
    )
    invoice = models.OneToOneField(
        "payments.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="business_license",
        verbose_name=_("fees"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    starts_on = models.DateField(_("valid from"), null=True, blank=True)
    expires_on = models.DateField(_("valid through"), null=True, blank=True)
    # The smallest of REMINDER_DAYS whose reminder has gone out for this term.
    reminder_sent_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    certificate = models.FileField(
        _("certificate"), upload_to="licensing/certificates/", blank=True
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("business license")
        verbose_name_plural = _("business licenses")
        indexes = [
            models.Index(fields=["holder", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "expires_on"]),
        ]
        constraints = [
            # One term per number and period; a number is shared only by renewals.
            models.UniqueConstraint(
                fields=["number", "starts_on"],
                condition=~models.Q(number=""),
                name="business_license_one_term_per_start",
            ),
        ]

    def __str__(self) -> str:
        label = self.dba or self.business_name or _("Business license application")
        return f"{self.number} {label}".strip()

    @property
    def display_name(self) -> str:
        """The name the public knows: the DBA, with the legal name beside it."""
        if self.dba and self.business_name and self.dba != self.business_name:
            return f"{self.dba} ({self.business_name})"
        return self.dba or self.business_name

    @property
    def is_renewal(self) -> bool:
        return self.renewal_of_id is not None

    is_info_requested = status_is(Status.INFO_REQUESTED)
    is_approved = status_is(Status.APPROVED)
    is_active = status_is(Status.ACTIVE)
    is_denied = status_is(Status.DENIED)
    is_expired = status_is(Status.EXPIRED)
    is_editable = status_is(*EDITABLE)

    @property
    def status_meaning(self) -> str:
        return STATUS_MEANINGS.get(self.status, "")

    @property
    def next_step(self) -> str:
        """What the holder does next, in the words of the status email."""
        step = NEXT_STEPS.get(self.status, "")
        if self.is_approved:
            return step % {"total": floatformat(self.invoice.total, "2g")}
        if self.is_active:
            return step % {
                "starts": date_format(self.starts_on, "DATE_FORMAT"),
                "expires": date_format(self.expires_on, "DATE_FORMAT"),
            }
        return step

    def is_current(self, today: datetime.date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.starts_on is not None
            and self.expires_on is not None
            and self.starts_on <= today <= self.expires_on
        )


class LicenseOwner(models.Model):
    """An owner, partner or officer named on an application."""

    license = models.ForeignKey(
        BusinessLicense, on_delete=models.CASCADE, related_name="owners", verbose_name=_("license")
    )
    name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("Owner, partner, president…")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("owner or officer")
        verbose_name_plural = _("owners and officers")

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name
