"""Permit types as city data (their fields, fee schedules and documents) and permits,
from the first saved draft to the final inspection."""

import datetime
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from permits.constants import NEXT_STEPS, STATUS_MEANINGS, PermitStatus
from portal.money import MoneyField

DEFAULT_VALID_DAYS = 180
# Numbers asked on a permit are counts and sizes: without limits of the type's own they
# are never negative, and small enough that any fee computed on them fits an invoice.
NUMBER_MIN = Decimal(0)
NUMBER_MAX = Decimal(999_999_999)
# What a fee rule may be computed on besides the type's own number fields.
VALUATION_BASIS = "valuation"


class PermitCategory(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("anchor"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("permit category")
        verbose_name_plural = _("permit categories")

    def __str__(self) -> str:
        return self.name


class PermitType(models.Model):
    class Applicants(models.TextChoices):
        ANYONE = "anyone", _("Public users and contractors")
        PUBLIC = "public", _("Public users only")
        CONTRACTOR = "contractor", _("Contractors only")

    category = models.ForeignKey(
        PermitCategory,
        on_delete=models.PROTECT,
        related_name="permit_types",
        verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    code_prefix = models.CharField(
        _("number prefix"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}\Z", _("Use 2 to 6 capital letters, e.g. RERF."))],
        help_text=_("Permit numbers start with it: RERF2026-0001."),
    )
    description = models.TextField(_("description"), blank=True)
    instructions = models.TextField(
        _("instructions"),
        blank=True,
        help_text=_("What applicants should know or have ready; shown before they start."),
    )
    applicants = models.CharField(
        _("who may apply"), max_length=12, choices=Applicants.choices, default=Applicants.ANYONE
    )
    is_construction = models.BooleanField(
        _("construction work"),
        default=True,
        help_text=_(
            "On: the application asks who does the work, a licensed contractor or the "
            "owner. Off for parking, film and other permits without construction."
        ),
    )
    owner_builder_allowed = models.BooleanField(
        _("owner-builders may apply"),
        default=True,
        help_text=_("A homeowner may do the work themselves, under an owner-builder declaration."),
    )
    is_online = models.BooleanField(
        _("offered online"),
        default=True,
        help_text=_("Off: counter-only; the type is not listed on the portal."),
    )
    is_over_the_counter = models.BooleanField(
        _("approved on submission"),
        default=False,
        help_text=_("Over the counter: no plan review, the fees are due at once."),
    )
    valid_days = models.PositiveSmallIntegerField(
        _("days valid after issue"),
        default=DEFAULT_VALID_DAYS,
        validators=[MinValueValidator(1)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ("category__order", "order", "name")
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")

    def __str__(self) -> str:
        return self.name


class PermitField(models.Model):
    """A question a permit type asks beyond the address, description and valuation."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        CHOICE = "choice", _("Choice from a list")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes or no")

    NUMERIC_KINDS = (Kind.INTEGER, Kind.DECIMAL)

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="fields", verbose_name=_("permit type")
    )
    name = models.SlugField(
        _("name"),
        max_length=40,
        help_text=_("Fee rules refer to the field by it, e.g. roof_squares. Letters and _ only."),
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*\Z", _("Use lower-case letters, digits, _."))],
    )
    label = models.CharField(_("label"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice: one option per line.")
    )
    min_value = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    help_text = models.CharField(_("help text"), max_length=240, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "name"], name="permit_field_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        low = self.min_value if self.min_value is not None else NUMBER_MIN
        high = self.max_value if self.max_value is not None else NUMBER_MAX
        return low, high

    @property
    def is_numeric(self) -> bool:
        """Whether fees can be computed on it: a number, or a choice among numbers."""
        if self.kind in self.NUMERIC_KINDS:
            return True
        return self.kind == self.Kind.CHOICE and all(
            choice.replace(".", "", 1).isdigit() for choice in self.choice_list
        )

    def clean(self) -> None:
        super().clean()
        if self.name == VALUATION_BASIS:
            raise ValidationError({"name": _("“valuation” is asked of every permit already.")})
        if self.kind == self.Kind.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("List at least one choice.")})
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError({"max_value": _("The maximum is below the minimum.")})


class FeeRule(models.Model):
    """One line of a permit type's fee schedule, computed when the application is submitted."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount (base fee or surcharge)")
        RATE = "rate", _("Rate per unit of a number")
        TIERED = "tiered", _("Tiers of a number")

    permit_type = models.ForeignKey(
        PermitType,
        on_delete=models.CASCADE,
        related_name="fee_rules",
        verbose_name=_("permit type"),
    )
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    amount = MoneyField(
        _("amount or rate"),
        default=0,
        help_text=_("Fixed: the amount. Rate: dollars per unit. Tiered: unused."),
    )
    basis = models.CharField(
        _("computed on"),
        max_length=40,
        blank=True,
        help_text=_("“valuation” or the name of one of the type's number fields."),
    )
    applies_when = models.CharField(
        _("only when"),
        max_length=40,
        blank=True,
        help_text=_("The name of a yes-or-no field: the line is charged only when it is yes."),
    )
    minimum = MoneyField(_("minimum"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee schedule")
        constraints = [
            # A fee line is known by its description, on the review page and the invoice.
            models.UniqueConstraint(
                fields=["permit_type", "description"], name="fee_rule_description_unique"
            )
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        super().clean()
        if self.kind != self.Kind.FIXED and not self.basis:
            raise ValidationError({"basis": _("Say which number the fee is computed on.")})
        if self.permit_type_id is None:
            return
        errors = fee_rule_reference_errors(
            basis=self.basis,
            applies_when=self.applies_when,
            fields=list(self.permit_type.fields.all()),
        )
        if errors:
            raise ValidationError(errors)


def fee_rule_reference_errors(
    *, basis: str, applies_when: str, fields: list[PermitField]
) -> dict[str, str]:
    """What is wrong with the fields a fee rule names, by form field. The admin also
    checks a new type's rules with it, against fields not saved yet."""
    by_name = {field.name: field for field in fields}
    errors = {}
    if basis and basis != VALUATION_BASIS:
        field = by_name.get(basis)
        if field is None or not field.is_numeric:
            errors["basis"] = _("Use “valuation” or the name of one of the type's number fields.")
    if applies_when:
        field = by_name.get(applies_when)
        if field is None or field.kind != PermitField.Kind.BOOLEAN:
            errors["applies_when"] = _("Use the name of one of the type's yes-or-no fields.")
    return errors


class FeeTier(models.Model):
    """A band of a tiered rule: the amount for values up to `up_to`, plus `rate` for every
    `per` units above the band below, as building valuation tables are written."""

    rule = models.ForeignKey(
        FeeRule, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("fee rule")
    )
    up_to = models.DecimalField(
        _("up to"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for the top band."),
    )
    amount = MoneyField(_("amount"), default=0)
    rate = MoneyField(_("plus, for each step above the band below"), default=0)
    per = models.DecimalField(
        _("step"),
        max_digits=12,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        ordering = (models.F("up_to").asc(nulls_last=True),)
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return f"≤ {self.up_to}" if self.up_to is not None else "top"


class RequiredDocument(models.Model):
    permit_type = models.ForeignKey(
        PermitType,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("permit type"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("what it must show"), max_length=240, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["permit_type", "name"], name="required_document_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PermitNumberCounter(models.Model):
    """The last number given for a prefix in a year, taken under a row lock."""

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="permit_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last_value}"


def number_compact(value: str) -> str:
    """A permit number as search compares it: `rerf2026 0001` and `RERF2026-0001` agree."""
    return re.sub(r"[^0-9A-Z]", "", value.upper())


class Permit(models.Model):
    """An application from its first saved draft, and the permit it becomes."""

    Status = PermitStatus

    class WorkBy(models.TextChoices):
        CONTRACTOR = "contractor", _("A licensed contractor")
        OWNER_BUILDER = "owner_builder", _("The owner, as owner-builder")

    WITHDRAWABLE = (
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.CORRECTIONS_REQUESTED,
        Status.RESUBMITTED,
        Status.APPROVED,
    )

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    number_compact = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    permit_type = models.ForeignKey(
        PermitType, on_delete=models.PROTECT, related_name="permits", verbose_name=_("type")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="permits",
        verbose_name=_("applicant"),
    )
    site_address = models.CharField(
        _("street address"), max_length=120, help_text=_("House number and street.")
    )
    site_unit = models.CharField(_("unit"), max_length=20, blank=True)
    site_city = models.CharField(_("city"), max_length=80)
    site_postal_code = models.CharField(_("ZIP code"), max_length=10)
    parcel_number = models.CharField(_("assessor's parcel number"), max_length=20, blank=True)
    description = models.TextField(_("description of work"), blank=True)
    valuation = MoneyField(_("valuation"), null=True, blank=True)
    field_values = models.JSONField(_("details"), default=dict, blank=True)
    work_by = models.CharField(_("work done by"), max_length=16, choices=WorkBy.choices, blank=True)
    contractor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracted_permits",
        verbose_name=_("contractor"),
    )
    # The contractor as printed on the permit, kept even if their account changes later.
    contractor_license_number = models.CharField(
        _("contractor license number"), max_length=10, blank=True
    )
    contractor_business_name = models.CharField(
        _("contractor business name"), max_length=200, blank=True
    )
    owner_builder_declared_at = models.DateTimeField(
        _("owner-builder declaration signed"), null=True, blank=True
    )
    draft_step = models.CharField(max_length=20, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="permits_reviewed",
        verbose_name=_("reviewer"),
        limit_choices_to={"is_staff": True},
    )
    invoice = models.OneToOneField(
        "payments.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="permit",
        verbose_name=_("fees"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    finaled_on = models.DateField(_("finaled"), null=True, blank=True)
    expiry_warning_sent_on = models.DateField(null=True, blank=True, editable=False)
    pdf = models.FileField(_("permit PDF"), upload_to="permits/pdf/", blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ("-submitted_at", "-created_at")
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["applicant", "status"]),
            models.Index(fields=["contractor", "status"]),
            models.Index(fields=["contractor_license_number"]),
            models.Index(fields=["issued_on"]),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft %(type)s application") % {"type": self.permit_type}

    @property
    def site_line(self) -> str:
        street = f"{self.site_address} #{self.site_unit}" if self.site_unit else self.site_address
        return f"{street}, {self.site_city} {self.site_postal_code}".strip(", ")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED

    @property
    def can_withdraw(self) -> bool:
        return self.status in self.WITHDRAWABLE

    @property
    def status_meaning(self) -> str:
        return STATUS_MEANINGS.get(self.status, "")

    @property
    def next_step(self) -> str:
        """What the applicant does next, in the words of the status email."""
        step = NEXT_STEPS.get(self.status, "")
        if self.status == self.Status.APPROVED:
            return step % {"total": floatformat(self.invoice.total, "2g")}
        if self.status == self.Status.ISSUED:
            return step % {"date": date_format(self.expires_on, "DATE_FORMAT")}
        return step

    def expires_within(self, days: int, today: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on <= today + datetime.timedelta(
            days=days
        )


def document_upload_to(document: "PermitDocument", filename: str) -> str:
    # The person's file name is kept in `original_name`; on disk only our own name.
    return f"permits/documents/{document.permit_id}/{timezone.now():%Y%m%d%H%M%S}-{document.uuid}"


class PermitDocument(models.Model):
    permit = models.ForeignKey(
        Permit, on_delete=models.CASCADE, related_name="documents", verbose_name=_("permit")
    )
    required_document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("what it is"),
    )
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # A revision uploaded for corrections replaces the file without losing the old one.
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("uploaded_at", "id")
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name


class PermitEvent(models.Model):
    """A line of the permit's timeline as the applicant reads it."""

    permit = models.ForeignKey(
        Permit, on_delete=models.CASCADE, related_name="events", verbose_name=_("permit")
    )
    status = models.CharField(_("status"), max_length=24, choices=Permit.Status.choices)
    message = models.TextField(_("message"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.at:%Y-%m-%d}"
