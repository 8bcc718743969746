"""The business license office's side: classifications and the licensing rules as city
data, and business licenses as a review queue.

Staff decide on an application; they never edit it. Every button calls a service,
which checks the license's status and keeps the change in its history."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Q, Value, When
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from licensing import services
from licensing.admin_forms import BusinessClassificationForm, ReceiptsTierFormSet
from licensing.models import (
    RENEWAL_OPENS_DAYS,
    BusinessClassification,
    BusinessLicense,
    LicensingSettings,
    ReceiptsTier,
)
from licensing.selectors import license_fees, number_normalize
from payments.admin import CounterPaymentAdminMixin
from payments.models import Invoice
from portal.admin import (
    RevertGuardedHistoryAdmin,
    SingleRowAdminMixin,
    TypedNumberSearchAdminMixin,
)
from portal.admin_review import (
    ApplicationReviewAdmin,
    ReviewStep,
    approve_step,
    deny_step,
    start_review_step,
)
from portal.downloads import pdf_download
from portal.selectors import city_localdate

Status = BusinessLicense.Status


# Classifications and the rules -------------------------------------------------------


class ReceiptsTierInline(admin.TabularInline):
    model = ReceiptsTier
    formset = ReceiptsTierFormSet
    extra = 1
    fields = ("receipts_up_to", "fee")
    verbose_name_plural = _("gross-receipts tiers (the gross-receipts fee rule only)")


@admin.register(BusinessClassification)
class BusinessClassificationAdmin(RevertGuardedHistoryAdmin):
    form = BusinessClassificationForm
    list_display = ("name", "fee_kind", "base_fee", "period", "is_contractor", "is_active", "order")
    list_editable = ("is_active", "order")
    list_filter = ("fee_kind", "period", "is_contractor", "is_active")
    search_fields = ("name", "description")
    fieldsets = (
        (None, {"fields": ("name", "description", "is_contractor", "is_active", "order")}),
        (
            _("Fee and license period"),
            {
                "fields": ("fee_kind", "base_fee", "per_employee_fee", "period"),
                "description": _(
                    "Every license also pays the State fee set in the licensing settings."
                ),
            },
        ),
    )
    inlines = (ReceiptsTierInline,)


@admin.register(LicensingSettings)
class LicensingSettingsAdmin(SingleRowAdminMixin, RevertGuardedHistoryAdmin):
    fieldsets = (
        (_("Fees"), {"fields": ("state_fee",)}),
        (_("Late renewal"), {"fields": ("late_penalty_percent", "late_renewal_days")}),
        (_("Contact"), {"fields": ("department",)}),
    )


# The review queue --------------------------------------------------------------------


class NewOrRenewalFilter(admin.SimpleListFilter):
    title = _("new or renewal")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("new", _("New license")), ("renewal", _("Renewal")))

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(renewal_of=None)
        if self.value() == "renewal":
            return queryset.exclude(renewal_of=None)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return (
            (
                "soon",
                _("Expires within %(days)d days") % {"days": RENEWAL_OPENS_DAYS},
            ),
            ("expired", _("Expired")),
        )

    def queryset(self, request, queryset):
        today = city_localdate()
        if self.value() == "soon":
            return queryset.filter(
                status=Status.ACTIVE,
                expires_on__gte=today,
                expires_on__lte=today + datetime.timedelta(days=RENEWAL_OPENS_DAYS),
            )
        if self.value() == "expired":
            # The nightly run may not have marked yesterday's expiries yet.
            return queryset.filter(status__in=(Status.ACTIVE, Status.EXPIRED), expires_on__lt=today)
        return queryset


REVIEW_STEPS = {
    step.slug: step
    for step in (
        start_review_step(
            offered_in=(Status.SUBMITTED,),
            run=lambda license, user, message: services.license_review_start(
                license=license, reviewer=user
            ),
        ),
        ReviewStep(
            slug="request-information",
            title=_("Request more information"),
            button=_("Request information"),
            offered_in=BusinessLicense.PENDING,
            run=lambda license, user, message: services.license_info_request(
                license=license, reviewer=user, message=message
            ),
            done=_("Information requested; the applicant has been emailed."),
            message_required=True,
            message_label=_("What should the applicant add or correct?"),
        ),
        approve_step(
            offered_in=BusinessLicense.PENDING,
            run=lambda license, user, message: services.license_approve(
                license=license, reviewer=user
            ),
        ),
        deny_step(
            offered_in=(*BusinessLicense.PENDING, Status.INFO_REQUESTED, Status.APPROVED),
            run=lambda license, user, message: services.license_deny(
                license=license, reviewer=user, reason=message
            ),
        ),
    )
}


def _person(user: User) -> str:
    return user.get_full_name() or user.username


# What the applicant entered is theirs, and the status moves only through services:
# nothing here is a form field. `change_businesslicense` is the right to review.
@admin.register(BusinessLicense)
class BusinessLicenseAdmin(
    TypedNumberSearchAdminMixin, CounterPaymentAdminMixin, ApplicationReviewAdmin
):
    review_steps = REVIEW_STEPS
    review_message_help = _("The applicant reads it on the license page and in an email.")
    action_error = services.LicenseError
    action_page_template = "admin/licensing/businesslicense/review.html"
    action_related = ("classification", "holder", "invoice")
    list_display = (
        "number_or_application",
        "business",
        "classification",
        "status",
        "submitted_at",
        "expires_on",
    )
    list_filter = (
        "status",
        "classification",
        "business_in_city",
        NewOrRenewalFilter,
        ExpiryFilter,
    )
    search_fields = (
        "number",
        "business_name",
        "dba",
        "holder__username",
        "holder__email",
    )
    # The queue first, oldest submission first; then everything else, newest first.
    ordering = (
        Case(When(status__in=BusinessLicense.PENDING, then=Value(0)), default=Value(1)).asc(),
        F("submitted_at").asc(nulls_last=True),
        "-created_at",
    )
    review_started_message = ngettext_lazy(
        "Started the review of %(count)d application.",
        "Started the review of %(count)d applications.",
        "count",
    )
    approved_message = ngettext_lazy(
        "Approved %(count)d application; the applicant has been emailed.",
        "Approved %(count)d applications; the applicants have been emailed.",
        "count",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "holder_account",
                    "renewal_of",
                    "reviewer",
                    "staff_message",
                )
            },
        ),
        (
            _("Business"),
            {
                "fields": (
                    "classification",
                    "business_name",
                    "dba",
                    "ownership",
                    "owners_list",
                    "starts_business_on",
                    "employees",
                    "gross_receipts",
                    "state_license_number",
                    "federal_ein",
                    "sellers_permit",
                )
            },
        ),
        (
            _("Addresses and contact"),
            {
                "fields": (
                    "business_in_city",
                    "business_address",
                    "mailing_address",
                    "phone",
                    "email",
                )
            },
        ),
        (_("Fees"), {"fields": ("fees",)}),
        (
            _("Dates and certificate"),
            {
                "fields": (
                    "created_at",
                    "submitted_at",
                    "decided_at",
                    "starts_on",
                    "expires_on",
                    "certificate_link",
                )
            },
        ),
    )
    readonly_fields = (
        "holder_account",
        "owners_list",
        "business_address",
        "mailing_address",
        "fees",
        "certificate_link",
    )

    # The list ---------------------------------------------------------------------

    @admin.display(description=_("number"), ordering="number")
    def number_or_application(self, license):
        if license.number:
            return license.number
        return gettext("(renewal)") if license.is_renewal else gettext("(application)")

    @admin.display(description=_("business"), ordering="business_name")
    def business(self, license):
        return license.display_name or "—"

    def typed_number_filter(self, search_term: str) -> Q:
        # A number typed as `bl2026 42` is still BL2026-00042.
        number = number_normalize(search_term)
        return Q(number=number) if number else Q()

    def queue_label(self, license: BusinessLicense) -> str:
        if license.number or license.display_name:
            return license.number or license.display_name
        return gettext("Application %(id)d") % {"id": license.pk}

    # The page ---------------------------------------------------------------------

    @admin.display(description=_("account holder"))
    def holder_account(self, license):
        holder = license.holder
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:accounts_user_change", args=[holder.pk]),
            _person(holder),
            holder.email or holder.username,
        )

    @admin.display(description=_("owners and officers"))
    def owners_list(self, license):
        owners = license.owners.all()
        if not owners:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((str(owner),) for owner in owners))
        )

    @admin.display(description=_("business address"))
    def business_address(self, license):
        return _address(license, "business")

    @admin.display(description=_("mailing address"))
    def mailing_address(self, license):
        if license.mailing_same:
            return gettext("Same as the business address")
        return _address(license, "mailing")

    @admin.display(description=_("fees"))
    def fees(self, license):
        return render_to_string(
            "admin/licensing/businesslicense/fees.html", {"fees": license_fees(license)}
        )

    @admin.display(description=_("certificate"))
    def certificate_link(self, license):
        if not license.certificate:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:licensing_businesslicense_certificate", args=[license.pk]),
            gettext("Download the certificate of %(number)s") % {"number": license.number},
        )

    def get_queryset(self, request):
        # The list and the page both read these; the list adds no joins of its own once
        # the queryset has some, so they are all named here.
        return (
            super()
            .get_queryset(request)
            .select_related("classification", "holder", "reviewer", "renewal_of")
        )

    def review_page_context(self, request, license: BusinessLicense) -> dict:
        return {
            "can_take_payment": bool(license.invoice_id)
            and request.user.has_perm("payments.add_payment")
            and license.invoice.status == Invoice.Status.DUE
        }

    # The buttons' pages -----------------------------------------------------------

    def get_urls(self):
        return [
            self.admin_path("<int:license_id>/certificate/", self.certificate_view, "certificate"),
            *super().get_urls(),
        ]

    def counter_payment_view(self, request, object_id: int):
        # Only staff who may see licenses take their payments.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().counter_payment_view(request, object_id)

    def counter_payment_outcome(self, license: BusinessLicense) -> str:
        license.refresh_from_db(fields=["status", "number"])
        if license.status == BusinessLicense.Status.ACTIVE:
            return gettext("License %(number)s is active.") % {"number": license.number}
        return gettext("The license is %(status)s.") % {
            "status": license.get_status_display().lower()
        }

    def certificate_view(self, request, license_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        license = get_object_or_404(BusinessLicense, pk=license_id)
        return pdf_download(license.certificate, license.number)


def _address(license: BusinessLicense, prefix: str) -> str:
    def part(name: str) -> str:
        return getattr(license, f"{prefix}_{name}")

    place = f"{part('state')} {part('postal_code')}".strip()
    lines = [
        part("address_line1"),
        part("address_line2"),
        ", ".join(value for value in (part("city"), place) if value),
    ]
    if not any(lines):
        return "—"
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))
