"""The permit catalogue as city data: categories, permit types, their fields, fee schedules
and required documents. A city adds a type in the admin, without a deploy."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
