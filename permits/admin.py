"""The Permit Center's side: permit types as city data, and permits as a review queue.

Staff never edit a permit or its fees here: every button calls a service, which checks
the permit's status and keeps the change in its history.

Over 500 lines: the review itself is portal.admin_review's, but a permit's page has
buttons of its own (fee lines, documents, the PDF), and a permit type is edited as one
form with its fields, fee rules and documents, whose inlines are checked against each
other; both are the permits app's admin, which Django looks for in this one module."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from payments.admin import CounterPaymentAdminMixin
from payments.models import FeeLine, Invoice
from payments.services import (
    PaymentError,
    fee_line_add,
    fee_line_adjust,
)
from permits import services
from permits.admin_forms import (
    FeeLineAddForm,
    FeeLineAdjustForm,
    FeeRuleFormSet,
    PermitFieldFormSet,
    PermitTypePartFormSet,
)
from permits.models import (
    FeeRule,
    FeeTier,
    Permit,
    PermitCategory,
    PermitField,
    PermitType,
    RequiredDocument,
    number_compact,
)
from portal.admin import (
    AssigneeFilter,
    PortalModelAdmin,
    RevertGuardedHistoryAdmin,
    TypedNumberSearchAdminMixin,
)
from portal.admin_review import (
    ApplicationReviewAdmin,
    ReviewStep,
    approve_step,
    deny_step,
    start_review_step,
)
from portal.downloads import pdf_download, private_download
from portal.forms import form_data

Status = Permit.Status


@admin.register(PermitCategory)
class PermitCategoryAdmin(PortalModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}


# Permit types ---------------------------------------------------------------------------


class PermitFieldInline(admin.StackedInline):
    model = PermitField
    formset = PermitFieldFormSet
    extra = 1
    fields = (
        ("name", "label"),
        ("kind", "required"),
        "choices",
        ("min_value", "max_value"),
        "help_text",
        "order",
    )


class FeeRuleInline(admin.TabularInline):
    model = FeeRule
    formset = FeeRuleFormSet
    extra = 1
    show_change_link = True
    fields = ("description", "kind", "amount", "basis", "applies_when", "minimum", "order")
    verbose_name_plural = _("fee schedule (tiers of a tiered rule: open the saved rule)")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    formset = PermitTypePartFormSet
    extra = 1
    fields = ("name", "description", "required", "order")


@admin.register(PermitType)
class PermitTypeAdmin(RevertGuardedHistoryAdmin):
    list_display = (
        "name",
        "code_prefix",
        "category",
        "applicants",
        "is_online",
        "is_over_the_counter",
        "order",
    )
    list_editable = ("is_online", "order")
    list_filter = ("category", "is_online", "is_over_the_counter", "applicants", "is_construction")
    list_select_related = ("category",)
    search_fields = ("name", "code_prefix")
    fieldsets = (
        (None, {"fields": ("name", "code_prefix", "category", "order")}),
        (_("What applicants read"), {"fields": ("description", "instructions")}),
        (
            _("Who may apply, and how"),
            {
                "fields": (
                    "applicants",
                    "is_construction",
                    "owner_builder_allowed",
                    "is_online",
                    "is_over_the_counter",
                    "valid_days",
                )
            },
        ),
    )
    # The fields first: the fee rules are checked against them.
    inlines = (PermitFieldInline, FeeRuleInline, RequiredDocumentInline)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.formset, PermitTypePartFormSet):
            # One dict per request, shared by the inlines of this one save.
            kwargs["siblings"] = request.__dict__.setdefault("_permit_type_inlines", {})
        return kwargs


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    extra = 1
    fields = ("up_to", "amount", "rate", "per")


@admin.register(FeeRule)
class FeeRuleAdmin(PortalModelAdmin):
    list_display = ("description", "permit_type", "kind", "amount", "basis", "order")
    list_filter = ("permit_type", "kind")
    list_select_related = ("permit_type",)
    search_fields = ("description", "permit_type__name")
    fields = ("permit_type", "description", "kind", "amount", "basis", "applies_when", "minimum")
    inlines = (FeeTierInline,)


# The review queue -----------------------------------------------------------------------


class ReviewerFilter(AssigneeFilter):
    title = _("reviewer")
    parameter_name = "reviewer"

    def assignees(self):
        return (
            User.objects.filter(pk__in=Permit.objects.exclude(reviewer=None).values("reviewer"))
            .order_by("last_name", "first_name", "username")
            .only("username", "first_name", "last_name")
        )


REVIEW_STEPS = {
    step.slug: step
    for step in (
        start_review_step(
            offered_in=(Status.SUBMITTED, Status.RESUBMITTED),
            run=lambda permit, user, message: services.permit_review_start(
                permit=permit, reviewer=user
            ),
        ),
        ReviewStep(
            slug="request-corrections",
            title=_("Request corrections"),
            button=_("Request corrections"),
            offered_in=(Status.IN_REVIEW,),
            run=lambda permit, user, message: services.permit_corrections_request(
                permit=permit, reviewer=user, message=message
            ),
            done=_("Corrections requested; the applicant has been emailed."),
            message_required=True,
            message_label=_("What must the applicant correct?"),
        ),
        approve_step(
            offered_in=(Status.IN_REVIEW,),
            run=lambda permit, user, message: services.permit_approve(
                permit=permit, reviewer=user, message=message
            ),
            message_required=False,
            message_label=_("Message to the applicant"),
            message_help=_("Optional: conditions of approval or a note for the applicant."),
        ),
        deny_step(
            offered_in=(
                Status.SUBMITTED,
                Status.IN_REVIEW,
                Status.CORRECTIONS_REQUESTED,
                Status.RESUBMITTED,
            ),
            run=lambda permit, user, message: services.permit_deny(
                permit=permit, reviewer=user, reason=message
            ),
        ),
    )
}
FEES_OPEN = (Invoice.Status.PENDING, Invoice.Status.DUE)


# What the applicant entered is theirs, and the status moves only through services:
# nothing here is a form field. `change_permit` is the right to review (the buttons).
@admin.register(Permit)
class PermitAdmin(TypedNumberSearchAdminMixin, CounterPaymentAdminMixin, ApplicationReviewAdmin):
    review_steps = REVIEW_STEPS
    review_message_help = _("The applicant reads it in the permit's timeline and in an email.")
    action_error = services.PermitError
    action_page_template = "admin/permits/permit/action.html"
    action_related = ("permit_type", "applicant", "invoice")
    list_display = (
        "number_or_draft",
        "permit_type",
        "status",
        "site",
        "applicant_name",
        "submitted_at",
        "reviewer_name",
    )
    list_filter = (
        "status",
        "permit_type",
        ("submitted_at", admin.DateFieldListFilter),
        ReviewerFilter,
    )
    search_fields = (
        "number",
        "site_address",
        "applicant__username",
        "applicant__email",
        "applicant__first_name",
        "applicant__last_name",
        "contractor_license_number",
        "contractor_business_name",
    )
    list_select_related = ("permit_type", "applicant", "reviewer")
    # The queue's newest submissions first, drafts (never submitted) last.
    ordering = (F("submitted_at").desc(nulls_last=True), "-created_at")
    review_started_message = ngettext_lazy(
        "Started the review of %(count)d permit.",
        "Started the review of %(count)d permits.",
        "count",
    )
    approved_message = ngettext_lazy(
        "Approved %(count)d permit; the applicant has been emailed.",
        "Approved %(count)d permits; the applicants have been emailed.",
        "count",
    )
    change_form_template = "admin/permits/permit/change_form.html"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "permit_type",
                    "status",
                    "applicant",
                    "reviewer",
                    "submitted_at",
                )
            },
        ),
        (
            _("Site"),
            {
                "fields": (
                    "site_address",
                    "site_unit",
                    "site_city",
                    "site_postal_code",
                    "parcel_number",
                )
            },
        ),
        (_("Project"), {"fields": ("description", "valuation", "details")}),
        (
            _("Who does the work"),
            {
                "fields": (
                    "work_by",
                    "contractor",
                    "contractor_license_number",
                    "contractor_business_name",
                    "owner_builder_declared_at",
                )
            },
        ),
        (
            _("Dates"),
            {"fields": ("created_at", "issued_on", "expires_on", "finaled_on", "permit_pdf")},
        ),
    )
    readonly_fields = ("details", "permit_pdf")

    # The list -------------------------------------------------------------------------

    @admin.display(description=_("number"), ordering="number")
    def number_or_draft(self, permit):
        return permit.number or gettext("(draft)")

    @admin.display(description=_("site"), ordering="site_address")
    def site(self, permit):
        return permit.site_line

    @admin.display(description=_("applicant"), ordering="applicant__last_name")
    def applicant_name(self, permit):
        return permit.applicant.get_full_name() or permit.applicant.username

    @admin.display(description=_("reviewer"), ordering="reviewer__last_name")
    def reviewer_name(self, permit):
        if permit.reviewer is None:
            return "—"
        return permit.reviewer.get_full_name() or permit.reviewer.username

    def typed_number_filter(self, search_term: str) -> Q:
        # A number typed as `rerf2026 0001` is still that permit.
        compact = number_compact(search_term)
        return Q(number_compact=compact) if compact else Q()

    # The page -------------------------------------------------------------------------

    @admin.display(description=_("details"))
    def details(self, permit):
        answers = permit.field_values or {}
        rows = [
            (field.label, _answer(answers.get(field.name)))
            for field in permit.permit_type.fields.all()
        ]
        if not rows:
            return "—"
        return format_html(
            "<dl class='permit-details'>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    @admin.display(description=_("permit PDF"))
    def permit_pdf(self, permit):
        if not permit.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:permits_permit_pdf", args=[permit.pk]),
            gettext("Download %(number)s.pdf") % {"number": permit.number},
        )

    def review_page_context(self, request, permit: Permit) -> dict:
        invoice = (
            Invoice.objects.prefetch_related("lines").get(pk=permit.invoice_id)
            if permit.invoice_id
            else None
        )
        lines = list(invoice.lines.all()) if invoice is not None else []
        fees_open = invoice is not None and invoice.status in FEES_OPEN
        user = request.user
        return {
            "invoice": invoice,
            "fee_lines": lines,
            "fees_total": invoice.total if invoice is not None else None,
            "can_add_fee": fees_open and user.has_perm("payments.add_feeline"),
            "can_adjust_fee": fees_open and user.has_perm("payments.change_feeline"),
            "can_take_payment": invoice is not None
            and invoice.status == Invoice.Status.DUE
            and user.has_perm("payments.add_payment"),
            "documents": list(permit.documents.select_related("required_document", "uploaded_by")),
            "events": list(permit.events.select_related("actor")),
        }

    # The buttons' pages ---------------------------------------------------------------

    def get_urls(self):
        return [
            self.admin_path("<int:permit_id>/fees/add/", self.fee_add_view, "fee_add"),
            self.admin_path(
                "<int:permit_id>/fees/<int:line_id>/adjust/", self.fee_adjust_view, "fee_adjust"
            ),
            self.admin_path(
                "<int:permit_id>/documents/<int:document_id>/", self.document_view, "document"
            ),
            self.admin_path("<int:permit_id>/pdf/", self.pdf_view, "pdf"),
            *super().get_urls(),
        ]

    def counter_payment_outcome(self, permit: Permit) -> str:
        permit.refresh_from_db(fields=["status"])
        return gettext("The permit is %(status)s.") % {
            "status": permit.get_status_display().lower()
        }

    def fee_add_view(self, request, permit_id: int):
        if not request.user.has_perm("payments.add_feeline"):
            raise PermissionDenied
        permit = self.action_object(permit_id)
        if permit.invoice is None:
            self.message_user(request, _("This application has no fees yet."), messages.ERROR)
            return self.back_to(permit)
        form = FeeLineAddForm(form_data(request))
        return self.action_form_page(
            request,
            permit,
            form,
            lambda: fee_line_add(invoice=permit.invoice, **form.cleaned_data),
            lambda _line: _("The fee line is added."),
            refused=PaymentError,
            title=_("Add a fee line"),
            button=_("Add fee line"),
            fee_lines=permit.invoice.lines.all(),
        )

    def fee_adjust_view(self, request, permit_id: int, line_id: int):
        if not request.user.has_perm("payments.change_feeline"):
            raise PermissionDenied
        permit = self.action_object(permit_id)
        line = get_object_or_404(FeeLine, pk=line_id, invoice_id=permit.invoice_id)
        form = FeeLineAdjustForm(
            form_data(request),
            initial={"amount": line.amount},
        )
        return self.action_form_page(
            request,
            permit,
            form,
            lambda: fee_line_adjust(line=line, **form.cleaned_data),
            lambda _line: _("The fee line is changed."),
            refused=PaymentError,
            title=_("Change the fee line “%(line)s”") % {"line": line.description},
            button=_("Change amount"),
            fee_line=line,
        )

    def document_view(self, request, permit_id: int, document_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        permit = self.action_object(permit_id)
        document = get_object_or_404(permit.documents, pk=document_id)
        return private_download(document.file, document.original_name, document.content_type)

    def pdf_view(self, request, permit_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        permit = self.action_object(permit_id)
        return pdf_download(permit.pdf, permit.number)


def _answer(value) -> str:
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if value in (None, ""):
        return "—"
    return str(value)
