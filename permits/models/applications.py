"""Permits: each application from its first saved draft to the final inspection, its
documents and its timeline, and the counters that number them."""

import datetime
import re
import uuid

from django.conf import settings
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from permits.constants import NEXT_STEPS, STATUS_MEANINGS, PermitStatus
from permits.models.catalogue import PermitType, RequiredDocument
from portal.models import Application
from portal.money import MoneyField
from portal.statuses import status_is


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


class Permit(Application):
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

    is_draft = status_is(Status.DRAFT)
    is_expired = status_is(Status.EXPIRED)
    can_withdraw = status_is(*WITHDRAWABLE)

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
