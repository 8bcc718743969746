"""Invoices, fee lines and payments for staff: to read, with their history. Fees change
and counter payments are recorded from the page of what they are for (a permit), through
the services, never by editing these rows."""

from django.contrib import admin
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from payments.models import FeeLine, Invoice, Payment
from portal.admin import RevertGuardedHistoryAdmin
from portal.money import money


class ReadOnlyHistoryAdmin(RevertGuardedHistoryAdmin):
    """Rows only services write: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FeeLineInline(admin.TabularInline):
    model = FeeLine
    fields = ("description", "amount", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("reference", "description", "kind", "payer", "status", "total", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("reference",)
    list_select_related = ("payer",)
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "description",
        "kind",
        "payer",
        "status",
        "total",
        "created_at",
        "due_at",
        "paid_at",
    )
    readonly_fields = ("total",)
    inlines = (FeeLineInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_total=Sum("lines__amount"))

    @admin.display(description=_("total"), ordering="lines_total")
    def total(self, invoice):
        return money(invoice.lines_total or 0)


@admin.register(FeeLine)
class FeeLineAdmin(ReadOnlyHistoryAdmin):
    list_display = ("description", "amount", "invoice_reference", "reason")
    search_fields = ("invoice__reference", "description")
    list_select_related = ("invoice",)
    fields = ("invoice", "description", "amount", "order", "reason")

    @admin.display(description=_("invoice"), ordering="invoice__reference")
    def invoice_reference(self, line):
        return line.invoice.reference


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "created_at",
        "invoice_references",
        "payer",
        "method",
        "status",
        "amount",
        "receipt_number",
        "recorded_by",
    )
    list_filter = ("method", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("receipt_number", "invoices__reference")
    list_select_related = ("payer", "recorded_by")
    fields = (
        "invoices",
        "payer",
        "method",
        "status",
        "amount",
        "receipt_number",
        "recorded_by",
        "created_at",
        "succeeded_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("invoices")

    @admin.display(description=_("invoices"))
    def invoice_references(self, payment):
        return ", ".join(invoice.reference for invoice in payment.invoices.all())
