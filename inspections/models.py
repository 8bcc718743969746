"""Inspections: which ones each permit type needs, when the city inspects, and the
inspections people book and inspectors complete."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from permits.models import Permit, PermitType
from portal.models import Department, SingleRowSettings
from portal.statuses import status_is

INSPECTOR_GROUP = "Inspector"


class InspectionType(models.Model):
    permit_type = models.ForeignKey(
        PermitType,
        on_delete=models.CASCADE,
        related_name="inspection_types",
        verbose_name=_("permit type"),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_final = models.BooleanField(
        _("final inspection"), default=False, help_text=_("A pass finals the permit.")
    )
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("must pass first"),
    )

    class Meta:
        ordering = ("permit_type", "order", "id")
        verbose_name = _("inspection type")
        verbose_name_plural = _("inspection types")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "code"], name="inspection_type_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SchedulingRules(SingleRowSettings):
    """When the city inspects and how far ahead people may book: a single row, id 1."""

    monday = models.BooleanField(_("Monday"), default=True)
    tuesday = models.BooleanField(_("Tuesday"), default=True)
    wednesday = models.BooleanField(_("Wednesday"), default=True)
    thursday = models.BooleanField(_("Thursday"), default=True)
    friday = models.BooleanField(_("Friday"), default=True)
    saturday = models.BooleanField(_("Saturday"), default=False)
    sunday = models.BooleanField(_("Sunday"), default=False)
    cutoff_time = models.TimeField(
        _("cut-off time"),
        default=datetime.time(15, 0),
        help_text=_(
            "Requests and cancellations made before this time on an inspection day count "
            "for the next inspection day; after it, for the one after."
        ),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How many inspection days ahead people may book."),
    )
    morning_starts = models.TimeField(_("morning window starts"), default=datetime.time(8, 0))
    morning_ends = models.TimeField(_("morning window ends"), default=datetime.time(12, 0))
    afternoon_starts = models.TimeField(_("afternoon window starts"), default=datetime.time(12, 0))
    afternoon_ends = models.TimeField(_("afternoon window ends"), default=datetime.time(16, 0))
    inspection_line = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspection line"),
        help_text=_(
            "The department people call to change an inspection after the cut-off; "
            "its phone number is shown to them."
        ),
    )
    daily_capacity = models.PositiveSmallIntegerField(
        _("inspections a day"),
        default=20,
        validators=[MinValueValidator(1)],
        help_text=_("Bookings stop for a day once this many inspections are scheduled on it."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scheduling rules")
        verbose_name_plural = _("scheduling rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="scheduling_rules_single_row"),
        ]

    def __str__(self) -> str:
        return str(_("Inspection scheduling rules"))

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not any(getattr(self, day) for day in WEEKDAY_FIELDS):
            errors["monday"] = _("Choose at least one day of the week the city inspects.")
        if self.morning_starts >= self.morning_ends:
            errors["morning_ends"] = _("The morning window must end after it starts.")
        if self.afternoon_starts >= self.afternoon_ends:
            errors["afternoon_ends"] = _("The afternoon window must end after it starts.")
        elif self.morning_ends > self.afternoon_starts:
            errors["afternoon_starts"] = _("The afternoon window must start after the morning's.")
        if errors:
            raise ValidationError(errors)

    def inspects_on_weekday(self, weekday: int) -> bool:
        return getattr(self, WEEKDAY_FIELDS[weekday])

    def window_times(self, window: str) -> tuple[datetime.time, datetime.time]:
        if window == Window.MORNING:
            return self.morning_starts, self.morning_ends
        return self.afternoon_starts, self.afternoon_ends


class Holiday(models.Model):
    """A day the city does not inspect, whatever day of the week it falls on."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ("date",)
        verbose_name = _("city holiday")
        verbose_name_plural = _("city holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Window(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class Inspection(models.Model):
    """One visit by an inspector: requested by the applicant or contractor, then
    cancelled or completed with a result."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        PARTIAL = "partial", _("Partial pass")
        CORRECTIONS = "corrections", _("Corrections needed")
        FAILED = "failed", _("Failed")
        NO_ACCESS = "no_access", _("No access")

    permit = models.ForeignKey(
        Permit, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("permit")
    )
    inspection_type = models.ForeignKey(
        InspectionType,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspection"),
    )
    confirmation_number = models.CharField(_("confirmation number"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    scheduled_for = models.DateField(_("date"))
    window = models.CharField(_("window"), max_length=2, choices=Window.choices)
    contact_name = models.CharField(_("on-site contact"), max_length=120)
    contact_phone = models.CharField(_("on-site contact phone"), max_length=20)
    access_notes = models.TextField(_("access notes"), blank=True, max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections_assigned",
        limit_choices_to={"is_staff": True, "groups__name": INSPECTOR_GROUP},
        verbose_name=_("inspector"),
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True)
    corrections = models.TextField(
        _("corrections"), blank=True, help_text=_("One correction per line.")
    )
    result_comments = models.TextField(_("comments"), blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    result_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("result recorded by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_note = models.TextField(
        _("the city's reason for cancelling"),
        blank=True,
        help_text=_("Given when staff cancel; shown to the applicant and contractor."),
    )
    rescheduled_as = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_from",
        verbose_name=_("rescheduled as"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("scheduled_for", "window", "id")
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["scheduled_for", "status"], name="inspection_day")]
        constraints = [
            # One booking of a type at a time on a permit: a second is a reschedule.
            models.UniqueConstraint(
                fields=["permit", "inspection_type"],
                condition=models.Q(status="scheduled"),
                name="inspection_one_scheduled_per_type",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="completed") & ~models.Q(result=""))
                | (~models.Q(status="completed") & models.Q(result="")),
                name="inspection_result_only_when_completed",
            ),
        ]
        permissions = [("record_result", _("Can record inspection results"))]

    def __str__(self) -> str:
        return f"{self.confirmation_number} {self.inspection_type.name}"

    @property
    def correction_list(self) -> list[str]:
        return [line.strip() for line in self.corrections.splitlines() if line.strip()]

    is_scheduled = status_is(Status.SCHEDULED)
    is_cancelled = status_is(Status.CANCELLED)
    is_completed = status_is(Status.COMPLETED)


class CalendarFeed(models.Model):
    """The secret address of a person's inspection calendar; resetting it changes the
    token, so an address shared by mistake stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inspection_calendar",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    reset_at = models.DateTimeField(_("created or reset"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
